//! The lesson's numbers (src/math/lesson.rs): each token's share of a
//! sampled step's expected entropy change.

use super::convert::to_f64_vec;
use super::convert::{object, Error};
use super::distribution::Distribution;
use js_sys::Float64Array;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** Distribution.shares: each token's share of E[ΔH] for a sampled policy-gradient step (docs/lesson.md). */
export interface Shares {
  /** p_k ΔH_k, with ΔH_k = (η A_k / T)(S̄ − S_k) the first-order change of a step on token k. */
  contributions: Float64Array;
  /** Σ_k p_k ΔH_k = −(η/T) Cov_p(A, S). */
  total: number;
  /** Cov_p(A, S) = Σ_k p_k (A_k − Ā)(S_k − S̄). */
  covariance: number;
}
"#;

#[wasm_bindgen]
impl Distribution {
    /// `shares(advantages, step)`: per token k, p_k times the first-order
    /// ΔH of a policy-gradient step of size step·A_k on k, their total and
    /// Cov_p(A, S).
    #[wasm_bindgen(unchecked_return_type = "Shares")]
    pub fn shares(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Float64Array | number[]")] advantages: &JsValue,
        step: f64,
    ) -> Result<JsValue, Error> {
        let a = to_f64_vec(advantages, "advantages")?;
        let s = self.inner.shares(&a, step)?;
        Ok(object(&[
            (
                "contributions",
                Float64Array::from(&s.contributions[..]).into(),
            ),
            ("total", s.total.into()),
            ("covariance", s.covariance.into()),
        ]))
    }
}
