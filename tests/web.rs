//! Browser tier: the JavaScript-facing API and the chart as really drawn on a
//! canvas. Run with `wasm-pack test --headless --chrome`.
//!
//! Everything goes through the class `Distribution` that wasm-bindgen exports
//! to JavaScript (docs/contract.md), not through Rust paths: the names, the argument
//! conversions (Float64Array / Float32Array / arrays, `undefined` options)
//! and the thrown `Error`s are what the page relies on. Expected values are
//! computed here from closed forms, never by the crate's own code.
//!

#![cfg(target_arch = "wasm32")]

// Link the crate so that its `#[wasm_bindgen]` exports are part of this test
// binary (Rust does not link a dependency that the code never names).
use entropy_polarity as _;

use js_sys::{Array, Float32Array, Float64Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

wasm_bindgen_test_configure!(run_in_browser);

// wasm-bindgen-test-runner (pinned to 0.2.130 with wasm-bindgen) generates
// the bindings of this test binary as `wasm-bindgen-test.js` at the server
// root and loads them as `./wasm-bindgen-test`, without the extension; inline
// snippets sit at `/snippets/<crate>-<hash>/inline0.js`. The snippet must use
// that same specifier: with `.js` the browser would load a second,
// never-initialised copy of the bindings. The class is re-exported under
// another name so that it cannot clash with the bindings' own `Distribution`
// when they import it back from the snippet.
#[wasm_bindgen(
    inline_js = "export { Distribution as JsDistribution } from '../../wasm-bindgen-test';"
)]
extern "C" {
    /// The exported JS class `Distribution`.
    type JsDistribution;

    #[wasm_bindgen(static_method_of = JsDistribution, js_name = fromLogits, catch)]
    fn from_logits(logits: &JsValue, temperature: &JsValue) -> Result<JsDistribution, JsValue>;
    #[wasm_bindgen(static_method_of = JsDistribution, js_name = fromProbs, catch)]
    fn from_probs(probs: &JsValue) -> Result<JsDistribution, JsValue>;

    #[wasm_bindgen(method, getter)]
    fn entropy(this: &JsDistribution) -> JsValue;
    #[wasm_bindgen(method, getter, js_name = meanDiscriminator)]
    fn mean_discriminator(this: &JsDistribution) -> JsValue;
    #[wasm_bindgen(method, getter, js_name = flipNudge)]
    fn flip_nudge(this: &JsDistribution) -> JsValue;
    #[wasm_bindgen(method, getter, js_name = flipPolicyGradient)]
    fn flip_policy_gradient(this: &JsDistribution) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn length(this: &JsDistribution) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn temperature(this: &JsDistribution) -> JsValue;

    #[wasm_bindgen(method)]
    fn probs(this: &JsDistribution) -> JsValue;
    #[wasm_bindgen(method)]
    fn discriminator(this: &JsDistribution) -> JsValue;
    #[wasm_bindgen(method, catch)]
    fn sensitivity(this: &JsDistribution, token: f64) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = firstOrder)]
    fn first_order(
        this: &JsDistribution,
        token: f64,
        kind: &str,
        step: f64,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn exact(this: &JsDistribution, token: f64, kind: &str, step: f64) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = exactFlip)]
    fn exact_flip(
        this: &JsDistribution,
        token: f64,
        kind: &str,
        step: f64,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = drawCurve)]
    fn draw_curve(
        this: &JsDistribution,
        canvas: &HtmlCanvasElement,
        token: f64,
        kind: &str,
        step: f64,
        options: &JsValue,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = curveSvg)]
    fn curve_svg(
        this: &JsDistribution,
        token: f64,
        kind: &str,
        step: f64,
        options: &JsValue,
    ) -> Result<JsValue, JsValue>;
}

// ---------------------------------------------------------------------------
// Helpers: JS values in and out.

fn f64s(v: &[f64]) -> JsValue {
    Float64Array::from(v).into()
}

fn f32s(v: &[f32]) -> JsValue {
    Float32Array::from(v).into()
}

fn plain_array(v: &[f64]) -> JsValue {
    v.iter()
        .map(|&x| JsValue::from_f64(x))
        .collect::<Array>()
        .into()
}

/// A plain JS object from (key, value) pairs.
fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

/// A JS number (typeof "number"), and finite: never NaN passed off as a number.
fn num(v: JsValue, what: &str) -> f64 {
    let x = v
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: expected a number, got {v:?}"));
    assert!(x.is_finite(), "{what}: {x} is not finite");
    x
}

fn ok<T>(r: Result<T, JsValue>, what: &str) -> T {
    r.unwrap_or_else(|e| panic!("{what} threw {e:?}"))
}

fn dist(logits: &[f64]) -> JsDistribution {
    ok(
        JsDistribution::from_logits(&f64s(logits), &JsValue::UNDEFINED),
        "fromLogits",
    )
}

fn f64_array(v: JsValue, what: &str) -> Vec<f64> {
    v.dyn_into::<Float64Array>()
        .unwrap_or_else(|v| panic!("{what}: expected a Float64Array, got {v:?}"))
        .to_vec()
}

fn field(o: &JsValue, key: &str) -> JsValue {
    Reflect::get(o, &JsValue::from_str(key)).unwrap()
}

/// Asserts that a call threw a real JS `Error` (not a wasm trap, whose name
/// is "RuntimeError" and whose message is "unreachable") whose message holds
/// every one of `words`; returns the message.
fn thrown<T>(r: Result<T, JsValue>, what: &str, words: &[&str]) -> String {
    let e = match r {
        Ok(_) => panic!("{what}: expected an Error, but the call succeeded"),
        Err(e) => e,
    };
    let err = e
        .dyn_ref::<js_sys::Error>()
        .unwrap_or_else(|| panic!("{what}: thrown value is not an Error: {e:?}"));
    let name = String::from(err.name());
    let msg = String::from(err.message());
    assert_eq!(name, "Error", "{what}: thrown {name}: {msg} (a panic?)");
    assert!(
        !msg.contains("unreachable") && !msg.contains("panicked"),
        "{what}: a panic leaked out: {msg}"
    );
    for w in words {
        assert!(msg.contains(w), "{what}: message {msg:?} lacks {w:?}");
    }
    msg
}

fn close(got: f64, want: f64, tol: f64, what: &str) {
    assert!(
        (got - want).abs() <= tol * want.abs().max(1.0),
        "{what}: got {got}, want {want} (tolerance {tol})"
    );
}

// ---------------------------------------------------------------------------
// Independent closed forms.

/// H, S_j and S̄ of softmax(z / T), computed the textbook way.
struct Stats {
    p: Vec<f64>,
    h: f64,
    s: Vec<f64>,
    s_bar: f64,
}

fn stats(z: &[f64], t: f64) -> Stats {
    let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = z.iter().map(|&v| ((v - m) / t).exp()).collect();
    let total: f64 = e.iter().sum();
    let p: Vec<f64> = e.iter().map(|&v| v / total).collect();
    let h = -p
        .iter()
        .filter(|&&x| x > 0.0)
        .map(|&x| x * x.ln())
        .sum::<f64>();
    let s: Vec<f64> = p
        .iter()
        .map(|&x| if x > 0.0 { x * (h + x.ln()) } else { 0.0 })
        .collect();
    let s_bar = p.iter().zip(&s).map(|(a, b)| a * b).sum();
    Stats { p, h, s, s_bar }
}

/// First-order ΔH at fixed H and S̄ for a token of probability q (docs/math.md, "The curve").
fn curve_y(st: &Stats, kind: &str, step: f64, t: f64, q: f64) -> f64 {
    let a = q * (st.h + q.ln());
    match kind {
        "nudge" => -(step / t) * a,
        _ => (step / t) * (st.s_bar - a),
    }
}

/// p†: the root of q (H + ln q) = S̄ on [e^−H, 1], by bisection (the left
/// side increases there from 0 to H).
fn p_dagger(st: &Stats) -> f64 {
    let (mut lo, mut hi) = ((-st.h).exp(), 1.0f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid * (st.h + mid.ln()) < st.s_bar {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

const EXAMPLE: [f64; 4] = [2.0, 1.0, 0.5, -1.0];

/// Zipf(1.5) over 100 tokens: spans about three decades of probability.
fn zipf() -> Vec<f64> {
    (1..=100).map(|r| -1.5 * f64::from(r).ln()).collect()
}

// ---------------------------------------------------------------------------
// 1. The JS-facing API.

#[wasm_bindgen_test]
fn accepts_float64_float32_and_plain_arrays_alike() {
    let a = dist(&EXAMPLE);
    let f32_logits: Vec<f32> = EXAMPLE.iter().map(|&x| x as f32).collect();
    let b = ok(
        JsDistribution::from_logits(&f32s(&f32_logits), &JsValue::UNDEFINED),
        "fromLogits(Float32Array)",
    );
    let c = ok(
        JsDistribution::from_logits(&plain_array(&EXAMPLE), &JsValue::UNDEFINED),
        "fromLogits(Array)",
    );
    let st = stats(&EXAMPLE, 1.0);
    for (d, what) in [(&a, "Float64Array"), (&b, "Float32Array"), (&c, "Array")] {
        assert_eq!(num(d.length(), "length"), 4.0, "{what}");
        assert_eq!(num(d.temperature(), "temperature"), 1.0, "{what}");
        close(num(d.entropy(), "entropy"), st.h, 1e-13, what);
        close(num(d.mean_discriminator(), "S̄"), st.s_bar, 1e-12, what);
        let p = f64_array(d.probs(), "probs()");
        let s = f64_array(d.discriminator(), "discriminator()");
        for j in 0..4 {
            close(p[j], st.p[j], 1e-14, "p_j");
            close(s[j], st.s[j], 1e-13, "S_j");
        }
    }
    // fromProbs takes all three forms too.
    let probs = [0.5, 0.25, 0.25];
    for v in [f64s(&probs), f32s(&[0.5, 0.25, 0.25]), plain_array(&probs)] {
        let d = ok(JsDistribution::from_probs(&v), "fromProbs");
        close(num(d.entropy(), "H"), 1.5 * 2f64.ln(), 1e-14, "fromProbs H");
    }
}

#[wasm_bindgen_test]
fn two_tokens_match_closed_forms() {
    let (a, b) = (1.3, -0.4);
    let d = dist(&[a, b]);
    let p = 1.0 / (1.0 + (b - a).exp());
    let h = -p * p.ln() - (1.0 - p) * (1.0 - p).ln();
    let s = [p * (h + p.ln()), (1.0 - p) * (h + (1.0 - p).ln())];
    let s_bar = p * s[0] + (1.0 - p) * s[1];
    close(num(d.entropy(), "H"), h, 1e-14, "H");
    close(num(d.mean_discriminator(), "S̄"), s_bar, 1e-13, "S̄");
    close(num(d.flip_nudge(), "flipNudge"), (-h).exp(), 1e-14, "e^-H");
    // Σ S_j = 0 and S̄ ≥ 0.
    let disc = f64_array(d.discriminator(), "discriminator()");
    assert!((disc[0] + disc[1]).abs() < 1e-15);
    assert!(s_bar >= 0.0);

    // p† solves q (H + ln q) = S̄ with q ≥ e^-H (the asymmetry).
    let pd = num(d.flip_policy_gradient(), "flipPolicyGradient");
    assert!(pd >= (-h).exp() && pd < 1.0, "p† = {pd}");
    assert!((pd * (h + pd.ln()) - s_bar).abs() < 1e-13, "p† = {pd}");
    let st = stats(&[a, b], 1.0);
    close(pd, p_dagger(&st), 1e-12, "p† by bisection");
    let z = zipf();
    close(
        num(dist(&z).flip_policy_gradient(), "p†"),
        p_dagger(&stats(&z, 1.0)),
        1e-10,
        "Zipf p†",
    );

    // First order: −ε S_k (nudge), η A (S̄ − S_k) (pg); c_k = S̄ − S_k.
    for (k, s_k) in s.into_iter().enumerate() {
        let kf = k as f64;
        close(
            num(ok(d.sensitivity(kf), "sensitivity"), "c_k"),
            s_bar - s_k,
            1e-13,
            "sensitivity",
        );
        close(
            num(ok(d.first_order(kf, "nudge", 0.3), "firstOrder"), "ΔH"),
            -0.3 * s_k,
            1e-13,
            "nudge",
        );
        close(
            num(ok(d.first_order(kf, "pg", -0.2), "firstOrder"), "ΔH"),
            -0.2 * (s_bar - s_k),
            1e-13,
            "pg",
        );
    }

    // Exact: apply z ← z + η A (e_k − p) on token 0 and recompute H.
    let step = 0.8;
    let (a2, b2) = (a + step * (1.0 - p), b - step * (1.0 - p));
    let p2 = 1.0 / (1.0 + (b2 - a2).exp());
    let h2 = -p2 * p2.ln() - (1.0 - p2) * (1.0 - p2).ln();
    close(
        num(ok(d.exact(0.0, "pg", step), "exact"), "ΔH"),
        h2 - h,
        1e-12,
        "exact pg",
    );
}

#[wasm_bindgen_test]
fn uniform_has_entropy_ln_v_and_flips_at_one_over_v() {
    for v in [2usize, 5, 1000] {
        let d = dist(&vec![0.75; v]);
        let vf = v as f64;
        close(num(d.entropy(), "H"), vf.ln(), 1e-14, "H = ln V");
        assert!(num(d.mean_discriminator(), "S̄").abs() < 1e-15);
        close(num(d.flip_nudge(), "e^-H"), 1.0 / vf, 1e-13, "e^-H = 1/V");
        close(
            num(d.flip_policy_gradient(), "p†"),
            1.0 / vf,
            1e-12,
            "p† = 1/V",
        );
        assert!(num(ok(d.first_order(1.0, "pg", 0.5), "firstOrder"), "ΔH").abs() < 1e-15);
        // Exact nudge on a uniform row: H' = ln(e^ε + V − 1) − ε e^ε / (e^ε + V − 1).
        let eps: f64 = 0.5;
        let zsum = eps.exp() + vf - 1.0;
        let want = zsum.ln() - eps * eps.exp() / zsum - vf.ln();
        close(
            num(ok(d.exact(0.0, "nudge", eps), "exact"), "ΔH"),
            want,
            1e-12,
            "exact nudge on uniform",
        );
    }
}

#[wasm_bindgen_test]
fn temperature_and_masked_tokens() {
    let d = ok(
        JsDistribution::from_logits(&f64s(&EXAMPLE), &JsValue::from_f64(2.0)),
        "fromLogits(T = 2)",
    );
    let st = stats(&EXAMPLE, 2.0);
    assert_eq!(num(d.temperature(), "temperature"), 2.0);
    close(num(d.entropy(), "H"), st.h, 1e-13, "H at T = 2");
    // Updates act on the raw logits, so the first-order change carries 1/T.
    close(
        num(ok(d.first_order(1.0, "pg", 0.4), "firstOrder"), "ΔH"),
        0.4 / 2.0 * (st.s_bar - st.s[1]),
        1e-12,
        "pg at T = 2",
    );
    close(
        num(ok(d.first_order(1.0, "nudge", 0.4), "firstOrder"), "ΔH"),
        -0.4 / 2.0 * st.s[1],
        1e-12,
        "nudge at T = 2",
    );

    // −Infinity masks a token: probability exactly 0.
    let m = dist(&[f64::NEG_INFINITY, 0.0, 0.0]);
    assert_eq!(f64_array(m.probs(), "probs()"), vec![0.0, 0.5, 0.5]);
    close(num(m.entropy(), "H"), 2f64.ln(), 1e-15, "masked H");
    assert_eq!(num(m.length(), "length"), 3.0);
}

#[wasm_bindgen_test]
fn exact_flip_is_a_number_or_undefined() {
    let d = dist(&EXAMPLE);
    let q = num(ok(d.exact_flip(0.0, "pg", 0.1), "exactFlip"), "exactFlip");
    assert!(q > 0.0 && q < 1.0);
    // A zero step changes nothing: there is no flip, and it says so.
    let none = ok(d.exact_flip(0.0, "pg", 0.0), "exactFlip(step 0)");
    assert!(none.is_undefined(), "exactFlip(step 0) = {none:?}");
}

#[wasm_bindgen_test]
fn bad_inputs_throw_errors_a_person_can_act_on() {
    let undef = JsValue::UNDEFINED;
    let from = |z: &[f64]| JsDistribution::from_logits(&f64s(z), &JsValue::UNDEFINED);

    thrown(from(&[0.0, f64::NAN]), "NaN logit", &["Token 1", "NaN"]);
    thrown(
        JsDistribution::from_logits(&plain_array(&[f64::NAN]), &undef),
        "NaN in a plain array",
        &["Token 0", "NaN"],
    );
    thrown(
        from(&[0.0, 1.0, f64::INFINITY]),
        "+Infinity",
        &["Token 2", "+Infinity"],
    );
    thrown(
        from(&[f64::NEG_INFINITY, f64::NEG_INFINITY]),
        "all masked",
        &["masked"],
    );
    thrown(from(&[]), "empty", &["empty"]);
    thrown(
        JsDistribution::from_logits(&Array::new(), &undef),
        "empty array",
        &["empty"],
    );
    for t in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        thrown(
            JsDistribution::from_logits(&f64s(&EXAMPLE), &JsValue::from_f64(t)),
            &format!("temperature {t}"),
            &["Temperature", "greater than 0"],
        );
    }

    // Wrong types.
    thrown(
        JsDistribution::from_logits(&JsValue::from_str("2,1,0.5"), &undef),
        "a string for logits",
        &["logits", "Float64Array"],
    );
    thrown(
        JsDistribution::from_probs(&JsValue::from_str("0.5,0.5")),
        "a string for probs",
        &["probs", "Float64Array"],
    );
    let mixed: JsValue = [JsValue::from_f64(1.0), JsValue::from_str("a")]
        .iter()
        .collect::<Array>()
        .into();
    thrown(
        JsDistribution::from_logits(&mixed, &undef),
        "an array holding a string",
        &["entry 1", "not a number"],
    );

    // Probabilities.
    thrown(
        JsDistribution::from_probs(&f64s(&[1.5, -0.5])),
        "negative probability",
        &["Probability 1", "negative"],
    );
    thrown(
        JsDistribution::from_probs(&f64s(&[0.5, 0.4])),
        "probabilities summing to 0.9",
        &["sum to 0.9", "1 ± 1e-6"],
    );
    thrown(
        JsDistribution::from_probs(&f64s(&[0.5, f64::NAN, 0.5])),
        "NaN probability",
        &["Probability 1", "NaN"],
    );
    thrown(
        JsDistribution::from_probs(&f64s(&[])),
        "no probs",
        &["empty"],
    );

    // Tokens, kinds and steps on every method that takes them.
    let d = dist(&EXAMPLE);
    let canvas = canvas(320, 200);
    type Call<'a> = Box<dyn Fn(f64, &str, f64) -> Result<JsValue, JsValue> + 'a>;
    let calls: Vec<(&str, Call)> = vec![
        ("sensitivity", Box::new(|k, _, _| d.sensitivity(k))),
        (
            "firstOrder",
            Box::new(|k, kind, s| d.first_order(k, kind, s)),
        ),
        ("exact", Box::new(|k, kind, s| d.exact(k, kind, s))),
        ("exactFlip", Box::new(|k, kind, s| d.exact_flip(k, kind, s))),
        (
            "drawCurve",
            Box::new(|k, kind, s| d.draw_curve(&canvas, k, kind, s, &JsValue::UNDEFINED)),
        ),
        (
            "curveSvg",
            Box::new(|k, kind, s| d.curve_svg(k, kind, s, &JsValue::UNDEFINED)),
        ),
    ];
    for (name, call) in &calls {
        thrown(call(5.0, "pg", 0.1), name, &["Token 5", "0 to 3"]);
        thrown(call(-1.0, "pg", 0.1), name, &["Token -1"]);
        thrown(call(1.5, "pg", 0.1), name, &["Token 1.5", "whole number"]);
        thrown(call(f64::NAN, "pg", 0.1), name, &["Token NaN"]);
        if *name != "sensitivity" {
            thrown(call(0.0, "sgd", 0.1), name, &["\"sgd\"", "nudge", "pg"]);
            thrown(call(0.0, "PG", 0.1), name, &["\"PG\""]);
        }
    }
    // exactFlip is left out here: see `exact_flip_rejects_a_non_finite_step`.
    for (name, call) in calls
        .iter()
        .filter(|(n, _)| !matches!(*n, "sensitivity" | "exactFlip"))
    {
        for step in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            thrown(call(0.0, "pg", step), name, &["Step", "finite"]);
            thrown(call(0.0, "nudge", step), name, &["Step", "finite"]);
        }
    }

    // Chart options: a plain object with sane values (unknown keys: see
    // `unknown_chart_options_are_rejected`).
    let bad_options = [
        (obj(&[("scale", 0.into())]), vec!["scale = 0"]),
        (obj(&[("scale", (-2).into())]), vec!["scale = -2"]),
        (obj(&[("scale", 9.into())]), vec!["scale = 9"]),
        (obj(&[("scale", f64::NAN.into())]), vec!["scale"]),
        (obj(&[("logX", "yes".into())]), vec!["Chart options"]),
        (obj(&[("samples", (-5).into())]), vec!["Chart options"]),
        (JsValue::from_f64(3.0), vec!["Chart options"]),
    ];
    for (o, words) in &bad_options {
        let what = format!("options {o:?}");
        thrown(d.draw_curve(&canvas, 0.0, "pg", 0.1, o), &what, words);
        thrown(d.curve_svg(0.0, "pg", 0.1, o), &what, words);
    }

    // After all those errors the module still works (a trap would poison it).
    close(
        num(d.entropy(), "H"),
        stats(&EXAMPLE, 1.0).h,
        1e-13,
        "H after errors",
    );
    ok(
        d.draw_curve(&canvas, 0.0, "pg", 0.1, &JsValue::UNDEFINED),
        "drawCurve after errors",
    );
}

// exactFlip checks its step like every other method (it once returned
// undefined, or a number, for a NaN or infinite step).
#[wasm_bindgen_test]
fn exact_flip_rejects_a_non_finite_step() {
    let d = dist(&EXAMPLE);
    for step in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        for kind in ["pg", "nudge"] {
            thrown(
                d.exact_flip(0.0, kind, step),
                &format!("exactFlip(0, {kind}, {step})"),
                &["Step", "finite"],
            );
        }
    }
}

// `#[serde(deny_unknown_fields)]` has no effect through serde-wasm-bindgen
// (it reads only the known field names), so the binding checks the keys
// itself: a misspelt option such as `logx` must be an error, not ignored.
#[wasm_bindgen_test]
fn unknown_chart_options_are_rejected() {
    let d = dist(&EXAMPLE);
    let canvas = canvas(320, 200);
    for key in ["foo", "logx", "Scale"] {
        let o = obj(&[(key, true.into())]);
        let what = format!("chart option {key:?}");
        thrown(
            d.draw_curve(&canvas, 0.0, "pg", 0.1, &o),
            &what,
            &["Chart options", key],
        );
        thrown(
            d.curve_svg(0.0, "pg", 0.1, &o),
            &what,
            &["Chart options", key],
        );
    }
    canvas.remove();
}

// The boundary convention (src/wasm/convert.rs, docs/contract.md "Errors"):
// every thrown Error carries a stable `code`, and `field` names the argument
// or option at fault, so a page can mark the right input without reading
// the message.
#[wasm_bindgen_test]
fn thrown_errors_carry_a_code_and_the_field_at_fault() {
    let d = dist(&EXAMPLE);
    let prop = |e: &JsValue, key: &str| field(e, key).as_string();
    let cases: Vec<(Result<JsValue, JsValue>, &str, Option<&str>)> = vec![
        (d.sensitivity(1.5), "range", Some("token")),
        (d.exact(9.0, "pg", 0.1), "range", Some("token")),
        (d.exact(0.0, "sgd", 0.1), "unknown-kind", Some("kind")),
        (d.first_order(0.0, "pg", f64::NAN), "range", Some("step")),
        (
            d.curve_svg(0.0, "pg", 0.1, &obj(&[("logx", true.into())])),
            "unknown-option",
            Some("logx"),
        ),
        (
            d.curve_svg(0.0, "pg", 0.1, &obj(&[("scale", 9.into())])),
            "range",
            Some("scale"),
        ),
        (
            JsDistribution::from_logits(&f64s(&EXAMPLE), &JsValue::from(-1.0)).map(JsValue::from),
            "range",
            Some("temperature"),
        ),
        (
            JsDistribution::from_logits(&JsValue::from("2,1"), &JsValue::UNDEFINED)
                .map(JsValue::from),
            "type",
            Some("logits"),
        ),
        (
            JsDistribution::from_logits(&f64s(&[f64::NAN]), &JsValue::UNDEFINED).map(JsValue::from),
            "not-a-number",
            None,
        ),
    ];
    for (i, (r, code, at)) in cases.into_iter().enumerate() {
        let e = r.expect_err(&format!("case {i} should throw"));
        thrown::<()>(Err(e.clone()), &format!("case {i}"), &[]);
        assert_eq!(prop(&e, "code").as_deref(), Some(code), "case {i}: code");
        assert_eq!(prop(&e, "field").as_deref(), at, "case {i}: field");
    }
}

// ---------------------------------------------------------------------------
// 2. The chart as really drawn.

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A canvas of the given backing-store size, attached to the page.
fn canvas(width: u32, height: u32) -> HtmlCanvasElement {
    let c: HtmlCanvasElement = document()
        .create_element("canvas")
        .unwrap()
        .dyn_into()
        .unwrap();
    c.set_width(width);
    c.set_height(height);
    document().body().unwrap().append_child(&c).unwrap();
    c
}

/// RGBA pixels read back from a canvas.
struct Pixels {
    width: i32,
    height: i32,
    data: Vec<u8>,
}

impl Pixels {
    fn of(c: &HtmlCanvasElement) -> Self {
        let ctx: CanvasRenderingContext2d =
            c.get_context("2d").unwrap().unwrap().dyn_into().unwrap();
        let (w, h) = (c.width(), c.height());
        let img = ctx.get_image_data(0.0, 0.0, w.into(), h.into()).unwrap();
        Pixels {
            width: w as i32,
            height: h as i32,
            data: img.data().0,
        }
    }

    /// The colour at (x, y); `None` off the canvas or where nothing opaque
    /// was painted (a fresh canvas is transparent black).
    fn rgb(&self, x: i32, y: i32) -> Option<[u8; 3]> {
        if x < 0 || y < 0 || x >= self.width || y >= self.height {
            return None;
        }
        let i = 4 * (y * self.width + x) as usize;
        let [r, g, b, a] = [0, 1, 2, 3].map(|k| self.data[i + k]);
        (a == 255).then_some([r, g, b])
    }

    /// Pixels in the closed box [x0, x1] × [y0, y1] for which `f` holds.
    fn count(&self, (x0, x1): (i32, i32), (y0, y1): (i32, i32), f: fn([u8; 3]) -> bool) -> usize {
        (y0..=y1)
            .flat_map(|y| (x0..=x1).map(move |x| (x, y)))
            .filter(|&(x, y)| self.rgb(x, y).is_some_and(f))
            .count()
    }
}

fn near(c: [u8; 3], want: [u8; 3], tol: i32) -> bool {
    c.iter()
        .zip(want)
        .all(|(&a, b)| (i32::from(a) - i32::from(b)).abs() <= tol)
}

/// The first-order curve's near-black RGB(20, 22, 26) (axes and text are a
/// similar ink; the tests look where neither is).
fn is_dark(c: [u8; 3]) -> bool {
    c.iter().all(|&v| v < 70)
}

/// Reddish purple RGB(204, 121, 167): the e^−H and p† markers.
fn is_marker(c: [u8; 3]) -> bool {
    near(c, [204, 121, 167], 28)
}

/// Vermillion RGB(213, 94, 0): the exact curve and its flip diamond.
fn is_vermillion(c: [u8; 3]) -> bool {
    near(c, [213, 94, 0], 40)
}

/// The object drawCurve returns.
#[derive(Debug, Clone, Copy)]
struct Layout {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    x_min: f64,
    x_max: f64,
    y_min: f64,
    y_max: f64,
    log_x: bool,
    exact_flip: Option<f64>,
}

impl Layout {
    fn of(v: &JsValue) -> Self {
        let n = |k: &str| num(field(v, k), k);
        let flip = field(v, "exactFlip");
        Layout {
            left: n("left"),
            right: n("right"),
            top: n("top"),
            bottom: n("bottom"),
            x_min: n("xMin"),
            x_max: n("xMax"),
            y_min: n("yMin"),
            y_max: n("yMax"),
            log_x: field(v, "logX")
                .as_bool()
                .expect("layout.logX is a boolean"),
            exact_flip: if flip.is_undefined() || flip.is_null() {
                None
            } else {
                Some(num(flip, "exactFlip"))
            },
        }
    }

    /// The documented mapping from data (q, ΔH) to canvas pixels.
    fn to_pixel(self, q: f64, y: f64) -> (f64, f64) {
        let x = if self.log_x { q.log10() } else { q };
        (
            self.left + (x - self.x_min) / (self.x_max - self.x_min) * (self.right - self.left),
            self.bottom - (y - self.y_min) / (self.y_max - self.y_min) * (self.bottom - self.top),
        )
    }
}

struct Drawn {
    canvas: HtmlCanvasElement,
    layout: Layout,
    pixels: Pixels,
}

fn draw(
    d: &JsDistribution,
    size: (u32, u32),
    token: f64,
    kind: &str,
    step: f64,
    options: JsValue,
) -> Drawn {
    let canvas = canvas(size.0, size.1);
    let v = ok(
        d.draw_curve(&canvas, token, kind, step, &options),
        "drawCurve",
    );
    let layout = Layout::of(&v);
    let pixels = Pixels::of(&canvas);
    Drawn {
        canvas,
        layout,
        pixels,
    }
}

/// Checks a drawn chart of token `token` of `logits` (T = 1) against closed
/// forms: the first-order curve through the layout's pixels at `qs`, nothing
/// dark `gap` pixels above those, markers at e^−H and p†, and the exact flip
/// diamond at (exactFlip, 0).
fn check_chart(
    logits: &[f64],
    token: usize,
    kind: &str,
    step: f64,
    qs: &[f64],
    log_x: bool,
    scale: f64,
) {
    let d = dist(logits);
    let st = stats(logits, 1.0);
    let size = ((800.0 * scale) as u32, (480.0 * scale) as u32);
    let options = obj(&[("logX", log_x.into()), ("scale", scale.into())]);
    let drawn = draw(&d, size, token as f64, kind, step, options);
    let (l, px) = (drawn.layout, &drawn.pixels);
    let ctx = format!("{kind} token {token} logX={log_x} scale={scale} {l:?}");

    // The layout: inside the canvas, the axis the options asked for.
    assert!(
        l.left > 0.0 && l.left < l.right && l.right <= f64::from(size.0),
        "{ctx}"
    );
    assert!(
        l.top >= 0.0 && l.top < l.bottom && l.bottom <= f64::from(size.1),
        "{ctx}"
    );
    assert_eq!(l.log_x, log_x, "{ctx}");
    if log_x {
        assert_eq!(l.x_max, 0.0, "{ctx}");
        let lo = st.p.iter().copied().fold(1.0, f64::min);
        assert!(l.x_min <= lo.log10() && l.x_min == l.x_min.round(), "{ctx}");
    } else {
        assert_eq!((l.x_min, l.x_max), (0.0, 1.0), "{ctx}");
    }
    assert!(l.y_min < 0.0 && l.y_max > 0.0, "{ctx}");

    // The first-order curve passes through the pixels the layout maps
    // (q, y(q)) to, and there is nothing dark `gap` pixels above it.
    let (tol, gap, half) = ((3.0 * scale) as i32, (25.0 * scale) as i32, scale as i32);
    for &q in qs {
        let y = curve_y(&st, kind, step, 1.0, q);
        assert!(
            y > l.y_min && y < l.y_max,
            "{ctx}: y({q}) = {y} off the chart"
        );
        let (x, yp) = l.to_pixel(q, y);
        let (x, yp) = (x.round() as i32, yp.round() as i32);
        let hits = px.count((x - half, x + half), (yp - tol, yp + tol), is_dark);
        assert!(hits > 0, "{ctx}: no curve pixel near q = {q} ({x}, {yp})");
        let above = px.count(
            (x - half, x + half),
            (yp - gap - 2 * half, yp - gap + 2 * half),
            is_dark,
        );
        assert_eq!(
            above, 0,
            "{ctx}: dark pixels {gap}px above the curve at q = {q} ({x}, {yp})"
        );
    }

    // Dashed marker lines at e^−H and, for a policy-gradient step, p†: many
    // marker pixels along each column. A nudge's flip is e^−H alone, so its
    // chart has no p† line (p† belongs to a policy-gradient step).
    let height = l.bottom - l.top;
    let markers = [
        ("e^-H", (-st.h).exp(), true),
        ("p†", p_dagger(&st), kind == "pg"),
    ];
    for (name, q, drawn) in markers {
        let (x, _) = l.to_pixel(q, 0.0);
        let x = x.round() as i32;
        let n = px.count(
            (x - 1 - half, x + half),
            (l.top as i32, l.bottom as i32),
            is_marker,
        );
        if drawn {
            assert!(
                n as f64 > 0.3 * height,
                "{ctx}: {name} marker at column {x}: {n} marker pixels over {height}"
            );
        } else {
            assert!(
                (n as f64) < 0.1 * height,
                "{ctx}: no {name} line on a {kind} chart, but column {x} has {n} marker pixels over {height}"
            );
        }
    }

    // The exact flip: a filled vermillion diamond (radius 6 px × scale) at (exactFlip, 0).
    let flip = num(
        ok(d.exact_flip(token as f64, kind, step), "exactFlip"),
        "exactFlip",
    );
    assert_eq!(l.exact_flip, Some(flip), "{ctx}: layout.exactFlip");
    let (x, y) = l.to_pixel(flip, 0.0);
    let (x, y) = (x.round() as i32, y.round() as i32);
    let r = (3.0 * scale) as i32;
    let n = px.count((x - r, x + r), (y - r, y + r), is_vermillion);
    let area = (2 * r + 1) * (2 * r + 1);
    assert!(
        n as i32 > area / 2,
        "{ctx}: {n} of {area} vermillion pixels around the exact flip ({x}, {y})"
    );
    drawn.canvas.remove();
}

#[wasm_bindgen_test]
fn linear_axis_chart_is_where_the_closed_form_says() {
    check_chart(
        &EXAMPLE,
        0,
        "pg",
        0.1,
        &[0.2, 0.35, 0.5, 0.65, 0.8, 0.95],
        false,
        1.0,
    );
    check_chart(
        &EXAMPLE,
        1,
        "nudge",
        0.5,
        &[0.2, 0.35, 0.5, 0.65, 0.8, 0.95],
        false,
        1.0,
    );
}

#[wasm_bindgen_test]
fn log_axis_chart_is_where_the_closed_form_says() {
    let z = zipf();
    check_chart(&z, 0, "pg", 0.1, &[1e-3, 1e-2, 0.03, 0.3, 0.7], true, 1.0);
    check_chart(
        &EXAMPLE,
        0,
        "pg",
        0.1,
        &[0.02, 0.05, 0.2, 0.5, 0.9],
        true,
        1.0,
    );
}

#[wasm_bindgen_test]
fn hidpi_chart_is_the_same_chart_at_twice_the_pixels() {
    let d = dist(&EXAMPLE);
    for log_x in [false, true] {
        let one = draw(
            &d,
            (800, 480),
            0.0,
            "pg",
            0.1,
            obj(&[("logX", log_x.into())]),
        );
        let two = draw(
            &d,
            (1600, 960),
            0.0,
            "pg",
            0.1,
            obj(&[("logX", log_x.into()), ("scale", 2.into())]),
        );
        let (a, b) = (one.layout, two.layout);
        for (name, x1, x2) in [
            ("left", a.left, b.left),
            ("right", a.right, b.right),
            ("top", a.top, b.top),
            ("bottom", a.bottom, b.bottom),
        ] {
            assert!(
                (x2 - 2.0 * x1).abs() <= 2.0,
                "{name}: {x1} at scale 1, {x2} at scale 2"
            );
        }
        assert_eq!(
            (a.x_min, a.x_max, a.y_min, a.y_max),
            (b.x_min, b.x_max, b.y_min, b.y_max)
        );
        // The same data point lands at twice the pixel coordinates.
        let st = stats(&EXAMPLE, 1.0);
        for q in [0.1, 0.4, 0.9] {
            let y = curve_y(&st, "pg", 0.1, 1.0, q);
            let (p1, p2) = (a.to_pixel(q, y), b.to_pixel(q, y));
            assert!((p2.0 - 2.0 * p1.0).abs() <= 3.0 && (p2.1 - 2.0 * p1.1).abs() <= 3.0);
        }
        one.canvas.remove();
        two.canvas.remove();
    }
    check_chart(
        &EXAMPLE,
        0,
        "pg",
        0.1,
        &[0.2, 0.35, 0.5, 0.65, 0.8, 0.95],
        false,
        2.0,
    );
    check_chart(
        &zipf(),
        0,
        "pg",
        0.1,
        &[1e-3, 1e-2, 0.03, 0.3, 0.7],
        true,
        2.0,
    );
}

#[wasm_bindgen_test]
fn light_and_dark_backgrounds() {
    let d = dist(&EXAMPLE);
    let light = draw(&d, (800, 480), 0.0, "pg", 0.1, JsValue::UNDEFINED);
    assert_eq!(light.pixels.rgb(2, 2), Some([255, 255, 255]));
    let dark = draw(
        &d,
        (800, 480),
        0.0,
        "pg",
        0.1,
        obj(&[("dark", true.into())]),
    );
    assert_eq!(dark.pixels.rgb(2, 2), Some([24, 26, 31]));
    light.canvas.remove();
    dark.canvas.remove();
}

#[wasm_bindgen_test]
fn one_hot_row_draws_without_an_exact_curve() {
    let d = ok(
        JsDistribution::from_probs(&f64s(&[1.0, 0.0, 0.0])),
        "fromProbs(one-hot)",
    );
    assert_eq!(num(d.entropy(), "H"), 0.0);
    for log_x in [false, true] {
        let drawn = draw(
            &d,
            (800, 480),
            0.0,
            "pg",
            0.1,
            obj(&[("logX", log_x.into())]),
        );
        assert_eq!(drawn.layout.exact_flip, None);
        drawn.canvas.remove();
    }
}

#[wasm_bindgen_test]
fn svg_export_has_curves_and_marker_labels() {
    let d = dist(&EXAMPLE);
    for log_x in [false, true] {
        let s = ok(
            d.curve_svg(0.0, "pg", 0.1, &obj(&[("logX", log_x.into())])),
            "curveSvg",
        )
        .as_string()
        .expect("curveSvg returns a string");
        assert!(s.starts_with("<svg"), "{}", &s[..s.len().min(80)]);
        assert!(s.contains("width=\"800\"") && s.contains("height=\"480\""));
        assert!(
            s.contains("<polyline") || s.contains("<path"),
            "no curve elements"
        );
        assert!(s.matches("<polyline").count() + s.matches("<path").count() >= 3);
        // e^−H is an "e" with a raised "−H" (two <text>s), never "e^".
        assert!(
            s.contains("p†") && s.contains("−H") && !s.contains("e^"),
            "marker labels missing"
        );
        assert!(s.contains("expands H") && s.contains("contracts H"));
        assert!(s.trim_end().ends_with("</svg>"));
    }
    let s = ok(
        d.curve_svg(
            0.0,
            "nudge",
            0.5,
            &obj(&[
                ("width", 640.into()),
                ("height", 400.into()),
                ("dark", true.into()),
            ]),
        ),
        "curveSvg(640×400)",
    )
    .as_string()
    .unwrap();
    assert!(s.contains("width=\"640\"") && s.contains("height=\"400\""));
}

// ---------------------------------------------------------------------------
// 3. Sanity: drawing really paints.

#[wasm_bindgen_test]
fn drawing_paints_the_canvas() {
    let c = canvas(800, 480);
    let all = ((0, 799), (0, 479));
    let painted = |_: [u8; 3]| true;
    let blank = Pixels::of(&c);
    assert_eq!(blank.count(all.0, all.1, painted), 0);
    let d = dist(&EXAMPLE);
    ok(
        d.draw_curve(&c, 0.0, "pg", 0.1, &JsValue::UNDEFINED),
        "drawCurve",
    );
    let p = Pixels::of(&c);
    assert_eq!(
        p.count(all.0, all.1, painted),
        800 * 480,
        "every pixel painted"
    );
    let dark = p.count(all.0, all.1, is_dark);
    let marker = p.count(all.0, all.1, is_marker);
    let vermillion = p.count(all.0, all.1, is_vermillion);
    let white = p.count(all.0, all.1, |c| c == [255, 255, 255]);
    assert!(dark > 1500, "{dark} dark pixels");
    assert!(marker > 300, "{marker} marker pixels");
    assert!(vermillion > 300, "{vermillion} vermillion pixels");
    // Margins stay white; the shaded sides do not.
    assert!(
        white > 20_000 && white < 800 * 480 / 2,
        "{white} white pixels"
    );
    c.remove();
}

// A canvas too small for axes and labels is an error that says how big it
// must be, not a chart squeezed to nothing.
#[wasm_bindgen_test]
fn a_tiny_canvas_is_refused_with_the_size_it_needs() {
    let d = dist(&EXAMPLE);
    let c = canvas(100, 80);
    thrown(
        d.draw_curve(&c, 0.0, "pg", 0.1, &JsValue::UNDEFINED),
        "drawCurve on 100x80",
        &["100×80", "at least 240×160"],
    );
}
