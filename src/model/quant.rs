//! Widening quantized matrices to Q8_0, for faster prompt reading on a CPU.
//!
//! Q4_K_M files keep many of a small model's matrices in Q5_0 and Q6_K (Gemma 3 270M:
//! 81 and 9 of them, their rows of 640 being no whole number of Q4_K's 256-wide blocks).
//! On x86, llama.cpp reads a prompt through those types with slow generic kernels, while
//! Q8_0 goes through its tiled matrix kernels: widened, the default model reads a prompt
//! about 1.2x faster, decodes as fast, and computes the same function up to Q8_0's
//! rounding (about 1/250 of each block's largest weight), at 27 MB more file.

/// ggml type ids.
pub const Q5_0: u32 = 6;
pub const Q8_0: u32 = 8;
pub const Q6_K: u32 = 14;

/// Whether [`widen_to_q8_0`] converts tensors of this type.
pub fn widens(ggml_type: u32) -> bool {
    matches!(ggml_type, Q5_0 | Q6_K)
}

/// The tensor data `data` of type `ggml_type` (Q5_0 or Q6_K; whole blocks) as Q8_0.
pub fn widen_to_q8_0(ggml_type: u32, data: &[u8]) -> Vec<u8> {
    let values = match ggml_type {
        Q5_0 => dequantize_q5_0(data),
        Q6_K => dequantize_q6_k(data),
        _ => unreachable!("only types for which `widens` holds are widened"),
    };
    quantize_q8_0(&values)
}

/// Q5_0: blocks of 32 weights, 22 bytes: the scale (f16), the weights' fifth bits (u32),
/// and their low four bits, two to a byte (weight j low, weight j + 16 high).
fn dequantize_q5_0(data: &[u8]) -> Vec<f32> {
    let mut out = Vec::with_capacity(data.len() / 22 * 32);
    for block in data.chunks_exact(22) {
        let d = f16_to_f32(u16::from_le_bytes([block[0], block[1]]));
        let high = u32::from_le_bytes(block[2..6].try_into().expect("4 bytes"));
        let low = &block[6..22];
        let weight = |j: usize, nibble: u8| {
            let q = nibble as u32 | ((high >> j) & 1) << 4;
            d * (q as i32 - 16) as f32
        };
        out.extend((0..16).map(|j| weight(j, low[j] & 0x0F)));
        out.extend((0..16).map(|j| weight(j + 16, low[j] >> 4)));
    }
    out
}

/// Q6_K: blocks of 256 weights, 210 bytes: low four bits (128 bytes), high two bits (64
/// bytes), 16 signed 8-bit scales of 16 weights each, and the block's scale (f16); laid
/// out in two halves of 128 as ggml's `dequantize_row_q6_K` reads them.
fn dequantize_q6_k(data: &[u8]) -> Vec<f32> {
    let mut out = vec![0.0; data.len() / 210 * 256];
    for (block, y) in data.chunks_exact(210).zip(out.chunks_exact_mut(256)) {
        let (ql, rest) = block.split_at(128);
        let (qh, rest) = rest.split_at(64);
        let (scales, d) = rest.split_at(16);
        let d = f16_to_f32(u16::from_le_bytes([d[0], d[1]]));
        for half in 0..2 {
            let (ql, qh) = (&ql[64 * half..], &qh[32 * half..]);
            let sc = |i: usize| scales[8 * half + i] as i8 as f32;
            let y = &mut y[128 * half..];
            for l in 0..32 {
                let is = l / 16;
                let q1 = (ql[l] & 0x0F | (qh[l] & 3) << 4) as i32 - 32;
                let q2 = (ql[l + 32] & 0x0F | (qh[l] >> 2 & 3) << 4) as i32 - 32;
                let q3 = (ql[l] >> 4 | (qh[l] >> 4 & 3) << 4) as i32 - 32;
                let q4 = (ql[l + 32] >> 4 | (qh[l] >> 6 & 3) << 4) as i32 - 32;
                y[l] = d * sc(is) * q1 as f32;
                y[l + 32] = d * sc(is + 2) * q2 as f32;
                y[l + 64] = d * sc(is + 4) * q3 as f32;
                y[l + 96] = d * sc(is + 6) * q4 as f32;
            }
        }
    }
    out
}

/// Q8_0: blocks of 32 weights, 34 bytes: the scale (f16, the block's largest magnitude
/// over 127) and the weights over it, rounded to signed bytes (ggml's reference quantizer).
fn quantize_q8_0(values: &[f32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(values.len() / 32 * 34);
    for block in values.chunks_exact(32) {
        let amax = block.iter().fold(0f32, |m, x| m.max(x.abs()));
        let d = amax / 127.0;
        let inverse = if d == 0.0 { 0.0 } else { 1.0 / d };
        out.extend_from_slice(&f32_to_f16(d).to_le_bytes());
        out.extend(block.iter().map(|x| (x * inverse).round() as i8 as u8));
    }
    out
}

fn f16_to_f32(h: u16) -> f32 {
    let sign = (h as u32 & 0x8000) << 16;
    let exponent = (h >> 10) & 0x1F;
    let mantissa = h as u32 & 0x3FF;
    let bits = match (exponent, mantissa) {
        (0, 0) => sign,
        // Subnormal: mantissa * 2^-24.
        (0, m) => return f32::from_bits(sign) + (m as f32) * 2f32.powi(-24) * sign_of(h),
        (0x1F, m) => sign | 0x7F80_0000 | m << 13,
        (e, m) => sign | (e as u32 + 127 - 15) << 23 | m << 13,
    };
    f32::from_bits(bits)
}

fn sign_of(h: u16) -> f32 {
    if h & 0x8000 != 0 { -1.0 } else { 1.0 }
}

/// Round to nearest, ties to even, as the F16C instructions ggml uses do.
fn f32_to_f16(x: f32) -> u16 {
    let bits = x.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    let exponent = ((bits >> 23) & 0xFF) as i32;
    let mantissa = bits & 0x7F_FFFF;
    if exponent == 0xFF {
        let nan = if mantissa != 0 { 0x200 } else { 0 };
        return sign | 0x7C00 | nan;
    }
    let e = exponent - 127 + 15;
    if e >= 0x1F {
        return sign | 0x7C00;
    }
    // The significand with its implicit bit, and how far it shifts to 10 bits (more for
    // subnormal halves).
    let (significand, shift) = if e <= 0 {
        if e < -10 {
            return sign;
        }
        (mantissa | 0x80_0000, (14 - e) as u32)
    } else {
        (mantissa, 13)
    };
    let mut half = significand >> shift;
    let rest = significand & ((1 << shift) - 1);
    let halfway = 1 << (shift - 1);
    if rest > halfway || (rest == halfway && half & 1 == 1) {
        half += 1;
    }
    // A carry out of the mantissa correctly bumps the exponent (or makes infinity).
    let e = if e <= 0 { 0 } else { e as u32 };
    sign | ((e << 10) + half) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_floats_round_trip_and_round_to_even() {
        for h in [
            0u16, 0x8000, 0x3C00, 0xBC00, 0x7BFF, 0x0001, 0x03FF, 0x0400, 0x7C00,
        ] {
            assert_eq!(f32_to_f16(f16_to_f32(h)), h, "{h:#06x}");
        }
        assert_eq!(f16_to_f32(0x3C00), 1.0);
        assert_eq!(f16_to_f32(0xC000), -2.0);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
        // 1 + 2^-11 lies halfway between 1 and the next half float: ties go to even (1).
        assert_eq!(f32_to_f16(1.0 + 2f32.powi(-11)), 0x3C00);
        assert_eq!(f32_to_f16(1.0 + 3.0 * 2f32.powi(-11)), 0x3C02);
        assert_eq!(f32_to_f16(65520.0), 0x7C00);
        assert_eq!(f32_to_f16(1e-9), 0);
    }

    #[test]
    fn a_q5_0_block_widens_to_the_same_weights() {
        // Scale 0.5; weight j has the 5-bit value j (j < 16) or 31 - (j - 16).
        let values: Vec<u32> = (0..16).chain((0..16).map(|j| 31 - j)).collect();
        let mut block = f32_to_f16(0.5).to_le_bytes().to_vec();
        let high = values
            .iter()
            .enumerate()
            .fold(0u32, |h, (j, v)| h | (v >> 4) << j);
        block.extend_from_slice(&high.to_le_bytes());
        block.extend((0..16).map(|j| (values[j] & 0x0F | (values[j + 16] & 0x0F) << 4) as u8));
        let expected: Vec<f32> = values.iter().map(|&v| 0.5 * (v as f32 - 16.0)).collect();
        assert_eq!(dequantize_q5_0(&block), expected);

        let widened = widen_to_q8_0(Q5_0, &block);
        assert_eq!(widened.len(), 34);
        let d = f16_to_f32(u16::from_le_bytes([widened[0], widened[1]]));
        for (q, want) in widened[2..].iter().zip(&expected) {
            let got = d * (*q as i8) as f32;
            assert!((got - want).abs() <= d / 2.0 + 1e-6, "{got} vs {want}");
        }
    }

    #[test]
    fn a_q6_k_block_reads_its_scales_and_both_halves() {
        // Every 6-bit value is 33 (+1 after the offset of 32); scale i is i + 1; d = 0.25.
        let mut block = vec![0u8; 210];
        block[..128].fill(0x11); // low nibbles 1 for both weights of each byte
        block[128..192].fill(0b1010_1010); // high bits 2 for all four weights: 2 << 4 = 32
        for i in 0..16 {
            block[192 + i] = (i + 1) as u8;
        }
        block[208..].copy_from_slice(&f32_to_f16(0.25).to_le_bytes());
        let weights = dequantize_q6_k(&block);
        assert_eq!(weights.len(), 256);
        // Weight 16k..16k+16 belongs to scale k in ggml's layout: half h, quarter q, is.
        for (i, w) in weights.iter().enumerate() {
            let (half, within) = (i / 128, i % 128);
            let scale = 8 * half + 2 * (within / 32) + (within % 32) / 16 + 1;
            assert_eq!(*w, 0.25 * scale as f32, "weight {i}");
        }
    }

    #[test]
    fn q8_0_keeps_the_largest_weight_exactly_and_zeros_stay_zero() {
        let mut values = vec![0.0f32; 64];
        values[3] = -2.54;
        values[7] = 1.0;
        let q = quantize_q8_0(&values);
        assert_eq!(q.len(), 68);
        assert_eq!(q[2 + 3] as i8, -127);
        assert_eq!(q[2 + 7] as i8, 50);
        assert_eq!(&q[34..], &[0u8; 34][..]);
    }
}
