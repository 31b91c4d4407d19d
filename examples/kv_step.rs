//! What a decode step costs as the KV cache fills: empty, then after each slot has read a
//! prompt of about 1,000 tokens (what `nib bench` leaves behind), measured in the slot
//! read last. `cargo run --release --example kv_step` (needs `nib model pull`); `SLOTS`
//! sets how many slots are filled (3 by default, as the default model has).

use std::time::{Duration, Instant};

use nib::engine::{
    CancelFlag, Engine, EngineConfig, EngineError, Generate, StepCost, default_threads,
};
use nib::prompt::Prompt;

/// Tokens of room a slot has in the default configuration.
const SLOT_TOKENS: u32 = 1365;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let name = nib::model::default_manifest().name;
    let path = nib::model::resolve_named(&name)?.path;
    let slots: u32 = std::env::var("SLOTS").map_or(Ok(3), |s| s.parse())?;
    let threads = default_threads();
    let engine = Engine::start(
        EngineConfig {
            model_path: path,
            context_length: SLOT_TOKENS * slots,
            threads,
            add_bos: false,
            adapters: vec![],
            slots,
        },
        |_| {},
    );
    engine.wait_loaded(Duration::from_secs(120)).await;
    let show = |cost: Result<StepCost, EngineError>| -> anyhow::Result<String> {
        let cost = cost?;
        Ok(format!(
            "{:.1} ms (without the output head {:.1} ms)",
            cost.with_head_ms, cost.without_head_ms
        ))
    };
    println!("{name}, {} threads, {slots} slots", threads.most());
    println!("empty cache: step {}", show(engine.measure_step(32).await)?);
    for slot in 0..slots {
        // A different file for each slot, so that each prompt takes a slot of its own.
        let text: String = (0..55)
            .map(|j| format!("def f{slot}_{j}(x):\n    return x + {j} * {slot}\n"))
            .collect();
        let started = Instant::now();
        let read = engine
            .generate(Generate {
                prompt: Prompt {
                    cursor: text.len(),
                    text,
                },
                cold: None,
                max_tokens: 1,
                decode_budget: Duration::from_secs(1),
                stop: Box::new(|_| None),
                cancel: CancelFlag::default(),
                reuse: true,
                speculate: false,
                adapter: None,
                avoid: None,
            })
            .await?;
        println!(
            "slot {}: read {} prompt tokens in {:.0} ms; step {}",
            slot + 1,
            read.stats.prefill_tokens,
            started.elapsed().as_secs_f64() * 1000.0,
            show(engine.measure_step(32).await)?
        );
    }
    Ok(())
}
