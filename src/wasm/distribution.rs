//! The `Distribution` class: a softmax distribution and its entropy
//! statistics, the updates and their ΔH, expectations over sampling and a
//! sampled GRPO-style step (docs/math.md). Its chart methods are in chart.rs.

use super::convert::{self, code, index, object, size, to_f64_vec, Error};
use crate::math::{self, UpdateKind};
use js_sys::Float64Array;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const DISTRIBUTION_TYPES: &str = r#"
/** Distribution.sampledStep: the group drawn from p and the logits after the step. */
export interface SampledStep {
  /** The G tokens drawn, in order. */
  tokens: Uint32Array;
  /** Each draw's group-normalised advantage (r − mean)/sd; all 0 when the group's rewards are equal. */
  advantages: Float64Array;
  /** z + (η/G) Σ_i A_i (e_{k_i} − p). */
  logits: Float64Array;
}
"#;

pub(super) fn token_index(token: f64, vocab: usize) -> Result<usize, Error> {
    index(token, "token", vocab)
}

/// The update kind, "nudge" or "pg", from a JS value (a string is checked
/// here: wasm-bindgen's own `&str` conversion traps on a number).
pub(super) fn kind(kind: &JsValue) -> Result<UpdateKind, Error> {
    Ok(UpdateKind::parse(&convert::string(kind, "kind")?)?)
}

pub(super) fn finite_step(step: f64) -> Result<f64, Error> {
    if step.is_finite() {
        Ok(step)
    } else {
        Err(math::CoreError::Step { value: step }.into())
    }
}

/// A softmax distribution with its entropy statistics.
#[wasm_bindgen]
pub struct Distribution {
    pub(super) inner: math::Distribution,
}

#[wasm_bindgen]
impl Distribution {
    /// p = softmax(logits / temperature); −Infinity masks a token.
    #[wasm_bindgen(js_name = fromLogits)]
    pub fn from_logits(logits: &JsValue, temperature: Option<f64>) -> Result<Distribution, Error> {
        let z = to_f64_vec(logits, "logits")?;
        let inner = math::Distribution::from_logits(&z, temperature.unwrap_or(1.0))?;
        Ok(Distribution { inner })
    }

    /// Probabilities (≥ 0, summing to 1 ± 1e-6).
    #[wasm_bindgen(js_name = fromProbs)]
    pub fn from_probs(probs: &JsValue) -> Result<Distribution, Error> {
        let p = to_f64_vec(probs, "probs")?;
        let inner = math::Distribution::from_probs(&p)?;
        Ok(Distribution { inner })
    }

    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.inner.len()
    }

    #[wasm_bindgen(getter)]
    pub fn temperature(&self) -> f64 {
        self.inner.temperature()
    }

    /// H in nats.
    #[wasm_bindgen(getter)]
    pub fn entropy(&self) -> f64 {
        self.inner.entropy()
    }

    /// S̄ = Σ p_j S_j.
    #[wasm_bindgen(getter, js_name = meanDiscriminator)]
    pub fn mean_discriminator(&self) -> f64 {
        self.inner.mean_discriminator()
    }

    /// e^−H.
    #[wasm_bindgen(getter, js_name = flipNudge)]
    pub fn flip_nudge(&self) -> f64 {
        self.inner.flip_nudge()
    }

    /// p† = S̄ / W₀(S̄ e^H).
    #[wasm_bindgen(getter, js_name = flipPolicyGradient)]
    pub fn flip_policy_gradient(&self) -> f64 {
        self.inner.flip_policy_gradient()
    }

    pub fn probs(&self) -> Vec<f64> {
        self.inner.probs().to_vec()
    }

    /// S_j = p_j (H + ln p_j).
    pub fn discriminator(&self) -> Vec<f64> {
        self.inner.discriminator()
    }

    /// c_k = S̄ − S_k.
    pub fn sensitivity(&self, token: f64) -> Result<f64, Error> {
        let k = token_index(token, self.inner.len())?;
        Ok(self.inner.sensitivity(k)?)
    }

    /// P_k = A (S̄ − S_k): > 0 widens the distribution, < 0 narrows it.
    pub fn polarity(&self, token: f64, advantage: f64) -> Result<f64, Error> {
        let k = token_index(token, self.inner.len())?;
        Ok(self.inner.polarity(k, advantage)?)
    }

    /// First-order ΔH; kind "nudge" | "pg", step = ε or η·A.
    #[wasm_bindgen(js_name = firstOrder)]
    pub fn first_order(
        &self,
        token: f64,
        #[wasm_bindgen(unchecked_param_type = "\"nudge\" | \"pg\"")] kind_name: JsValue,
        step: f64,
    ) -> Result<f64, Error> {
        let k = token_index(token, self.inner.len())?;
        Ok(self.inner.first_order(k, kind(&kind_name)?, step)?)
    }

    /// ΔH after really applying the update.
    pub fn exact(
        &self,
        token: f64,
        #[wasm_bindgen(unchecked_param_type = "\"nudge\" | \"pg\"")] kind_name: JsValue,
        step: f64,
    ) -> Result<f64, Error> {
        let k = token_index(token, self.inner.len())?;
        Ok(self.inner.exact(k, kind(&kind_name)?, step)?)
    }

    /// The logits after really applying the update to `logits` (which must be
    /// the logits this distribution was made from): z_k + ε for a nudge,
    /// z + η A (e_k − p) for a policy-gradient step.
    #[wasm_bindgen(js_name = updatedLogits)]
    pub fn updated_logits(
        &self,
        logits: &JsValue,
        token: f64,
        #[wasm_bindgen(unchecked_param_type = "\"nudge\" | \"pg\"")] kind_name: JsValue,
        step: f64,
    ) -> Result<Vec<f64>, Error> {
        let z = to_f64_vec(logits, "logits")?;
        if z.len() != self.inner.len() {
            return Err(Error::new(
                code::RANGE,
                format!(
                    "updatedLogits needs the {} logits this distribution was made from, not {}.",
                    self.inner.len(),
                    z.len()
                ),
            )
            .field("logits"));
        }
        let k = token_index(token, self.inner.len())?;
        let step = finite_step(step)?;
        Ok(math::apply_update(
            &z,
            self.inner.probs(),
            k,
            kind(&kind_name)?,
            step,
        ))
    }

    /// E over k ~ p of the first-order ΔH of z ← z + η A_k (e_k − p):
    /// −(η/T) Cov_p(A, S), one advantage per token (docs/math.md, "Sampling").
    #[wasm_bindgen(js_name = expectedChange)]
    pub fn expected_change(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Float64Array | Float32Array | number[]")] advantages: &JsValue,
        step: f64,
    ) -> Result<f64, Error> {
        let a = to_f64_vec(advantages, "advantages")?;
        Ok(self.inner.expected_change(&a, step)?)
    }

    /// Per-token advantages (r − r̄)/σ, r̄ and σ under p; all 0 when σ = 0.
    #[wasm_bindgen(js_name = rewardAdvantages)]
    pub fn reward_advantages(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Float64Array | Float32Array | number[]")]
        rewards: &JsValue,
    ) -> Result<Vec<f64>, Error> {
        let r = to_f64_vec(rewards, "rewards")?;
        Ok(math::sampling::reward_advantages(&self.inner, &r)?)
    }

    /// The exact E[ΔH] (first order) of `sampledStep` for a group of `group`
    /// draws with these per-token rewards (docs/math.md, "A sampled step").
    #[wasm_bindgen(js_name = expectedGroupChange)]
    pub fn expected_group_change(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Float64Array | Float32Array | number[]")]
        rewards: &JsValue,
        group: f64,
        step: f64,
    ) -> Result<f64, Error> {
        let r = to_f64_vec(rewards, "rewards")?;
        let group = size(group, "group")?;
        Ok(self.inner.expected_group_change(&r, group, step)?)
    }

    /// One GRPO-style step: draw `group` tokens from p with the seeded
    /// generator, normalise their rewards within the group, and update
    /// `logits` (the ones this distribution was made from).
    #[wasm_bindgen(js_name = sampledStep, unchecked_return_type = "SampledStep")]
    pub fn sampled_step(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Float64Array | Float32Array | number[]")]
        logits: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "Float64Array | Float32Array | number[]")]
        rewards: &JsValue,
        group: f64,
        step: f64,
        seed: f64,
    ) -> Result<JsValue, Error> {
        let z = to_f64_vec(logits, "logits")?;
        let r = to_f64_vec(rewards, "rewards")?;
        let group = size(group, "group")?;
        let mut rng = math::simulate::Rng::new(convert::whole(seed, "seed")?);
        let s = math::sampling::sampled_step(&self.inner, &z, &r, group, step, &mut rng)?;
        let tokens: Vec<u32> = s.tokens.iter().map(|&k| k as u32).collect();
        Ok(object(&[
            ("tokens", js_sys::Uint32Array::from(&tokens[..]).into()),
            ("advantages", Float64Array::from(&s.advantages[..]).into()),
            ("logits", Float64Array::from(&s.logits[..]).into()),
        ]))
    }

    /// The zero of the exact curve nearest the first-order flip, or undefined.
    #[wasm_bindgen(js_name = exactFlip)]
    pub fn exact_flip(
        &self,
        token: f64,
        #[wasm_bindgen(unchecked_param_type = "\"nudge\" | \"pg\"")] kind_name: JsValue,
        step: f64,
    ) -> Result<Option<f64>, Error> {
        let k = token_index(token, self.inner.len())?;
        Ok(self
            .inner
            .exact_flip(k, kind(&kind_name)?, step, math::curve::DEFAULT_SCAN)?)
    }
}
