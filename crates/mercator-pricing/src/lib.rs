//! Mercator's pricing engine: every price derived from cost, freight, duty,
//! channel fees, tax and FX, with the market's rules (tax-inclusive display,
//! currency exponents, price endings, floor/ceiling/MAP), and an explanation
//! of each step. Pure: no IO, no clock (today's date is an input), no floats.
//!
//! - [`policy`]: the inputs (market fee schedules, tax, logistics, rules;
//!   item data), validated with the field named.
//! - [`fx`]: rates against EUR, cross rates, the ECB reference-rate parser.
//! - [`engine`]: landed cost, solving for the target, rounding, the reverse
//!   (price -> profit, margin), promotions.
//! - [`presets`]: sensible starting schedules for common channels and markets.

pub mod engine;
pub mod fx;
pub mod policy;
pub mod presets;

pub use engine::{
    evaluate, landed_cost, price, price_minor, promote, Arg, Context, PromoQuote, Promotion, Quote, Step,
};
pub use fx::{parse_ecb, EcbDay, FxTable, RateInfo};
pub use policy::{Ending, Globals, Item, Market, MarketRules, Rounding, Target};

/// One (item, market) result of [`price_all`]: the price that meets the
/// target, and the margin at the current price when there is one.
pub type Repriced = Result<(engine::Priced, Option<engine::Priced>), mercator_core::ErrorPayload>;

/// Prices every (item, market) pair, on all cores: row-major, `items.len()`
/// x `markets.len()` results (or why it cannot be priced). `current` gives
/// the price a pair sells at now (minor units), if any.
pub fn price_all(
    ctx: &Context,
    items: &[Item],
    markets: &[Market],
    current: &(dyn Fn(usize, usize) -> Option<i64> + Sync),
) -> Vec<Repriced> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get).max(1);
    let chunk = items.len().div_ceil(threads).max(1);
    let door = ctx.validate();
    let valid: Vec<Result<(), mercator_core::ErrorPayload>> =
        markets.iter().map(|m| door.clone().and_then(|()| m.validate())).collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .enumerate()
            .map(|(ci, part)| {
                let valid = &valid;
                let base = ci * chunk;
                s.spawn(move || {
                    let mut caches: Vec<engine::MarketCache> = markets.iter().map(|_| Default::default()).collect();
                    let mut out = Vec::with_capacity(part.len() * markets.len());
                    for (n, item) in part.iter().enumerate() {
                        let item_ok = item.validate();
                        for (mi, ((m, ok), cache)) in markets.iter().zip(valid).zip(caches.iter_mut()).enumerate() {
                            out.push(match (ok, &item_ok) {
                                (Err(e), _) | (_, Err(e)) => Err(e.clone()),
                                _ => engine::price_cached(ctx, item, m, cache).map(|p| {
                                    let now = current(base + n, mi)
                                        .and_then(|c| engine::at_price_cached(ctx, item, m, c, cache).ok());
                                    (p, now)
                                }),
                            });
                        }
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| match h.join() {
                Ok(v) => v,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}
