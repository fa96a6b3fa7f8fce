//! Four f32 lanes, and only the operations the row kernel needs, on
//! - wasm32 with `simd128` (`core::arch::wasm32`, one v128 instruction each),
//! - x86-64 (SSE2 is part of the baseline, so no runtime detection),
//! - anything else, as a plain `[f32; 4]`.
//!
//! The kernel is written once against this type, so the native and the
//! WebAssembly builds run the same algorithm at the same width, and the
//! release profile's `opt-level = "s"` (which does not auto-vectorise) does
//! not matter. Every operation has the same IEEE result on all three.

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod imp {
    use core::arch::wasm32::*;

    #[derive(Clone, Copy)]
    pub struct F32x4(v128);

    impl F32x4 {
        #[inline(always)]
        pub fn splat(x: f32) -> Self {
            F32x4(f32x4_splat(x))
        }
        #[inline(always)]
        pub fn load(x: &[f32; 4]) -> Self {
            // SAFETY: `x` is 16 readable bytes; v128_load has no alignment requirement.
            F32x4(unsafe { v128_load(x.as_ptr() as *const v128) })
        }
        #[inline(always)]
        pub fn to_array(self) -> [f32; 4] {
            [
                f32x4_extract_lane::<0>(self.0),
                f32x4_extract_lane::<1>(self.0),
                f32x4_extract_lane::<2>(self.0),
                f32x4_extract_lane::<3>(self.0),
            ]
        }
        #[inline(always)]
        pub fn add(self, o: Self) -> Self {
            F32x4(f32x4_add(self.0, o.0))
        }
        #[inline(always)]
        pub fn sub(self, o: Self) -> Self {
            F32x4(f32x4_sub(self.0, o.0))
        }
        #[inline(always)]
        pub fn mul(self, o: Self) -> Self {
            F32x4(f32x4_mul(self.0, o.0))
        }
        /// `if self < lo { lo } else { self }` per lane: NaN stays NaN.
        #[inline(always)]
        pub fn clamp_below(self, lo: Self) -> Self {
            F32x4(f32x4_pmax(self.0, lo.0))
        }
        /// `if x > self { x } else { self }` per lane: a NaN `x` is ignored.
        #[inline(always)]
        pub fn max_ignore_nan(self, x: Self) -> Self {
            F32x4(f32x4_pmax(self.0, x.0))
        }
        /// All-ones lanes where `self == o`.
        #[inline(always)]
        pub fn eq_mask(self, o: Self) -> Self {
            F32x4(f32x4_eq(self.0, o.0))
        }
        /// `self` where `mask` is clear, 0 where it is set.
        #[inline(always)]
        pub fn zero_where(self, mask: Self) -> Self {
            F32x4(v128_andnot(self.0, mask.0))
        }
        /// `self` where `mask` is set, 0 elsewhere.
        #[inline(always)]
        pub fn keep_where(self, mask: Self) -> Self {
            F32x4(v128_and(self.0, mask.0))
        }
        /// Reinterprets the bits as i32, shifts them left by 23, and back.
        #[inline(always)]
        pub fn shl23_bits(self) -> Self {
            F32x4(i32x4_shl(self.0, 23))
        }
    }
}

#[cfg(all(
    target_arch = "x86_64",
    not(all(target_arch = "wasm32", target_feature = "simd128"))
))]
mod imp {
    use core::arch::x86_64::*;

    #[derive(Clone, Copy)]
    pub struct F32x4(__m128);

    // SAFETY (all blocks below): SSE and SSE2 are part of the x86-64 baseline,
    // so these intrinsics are always available; loads are unaligned loads of
    // 16 readable bytes.
    impl F32x4 {
        #[inline(always)]
        pub fn splat(x: f32) -> Self {
            F32x4(unsafe { _mm_set1_ps(x) })
        }
        #[inline(always)]
        pub fn load(x: &[f32; 4]) -> Self {
            F32x4(unsafe { _mm_loadu_ps(x.as_ptr()) })
        }
        #[inline(always)]
        pub fn to_array(self) -> [f32; 4] {
            let mut out = [0f32; 4];
            unsafe { _mm_storeu_ps(out.as_mut_ptr(), self.0) };
            out
        }
        #[inline(always)]
        pub fn add(self, o: Self) -> Self {
            F32x4(unsafe { _mm_add_ps(self.0, o.0) })
        }
        #[inline(always)]
        pub fn sub(self, o: Self) -> Self {
            F32x4(unsafe { _mm_sub_ps(self.0, o.0) })
        }
        #[inline(always)]
        pub fn mul(self, o: Self) -> Self {
            F32x4(unsafe { _mm_mul_ps(self.0, o.0) })
        }
        /// `if self < lo { lo } else { self }` per lane: NaN stays NaN
        /// (maxps returns its second operand when the comparison is false).
        #[inline(always)]
        pub fn clamp_below(self, lo: Self) -> Self {
            F32x4(unsafe { _mm_max_ps(lo.0, self.0) })
        }
        /// `if x > self { x } else { self }` per lane: a NaN `x` is ignored.
        #[inline(always)]
        pub fn max_ignore_nan(self, x: Self) -> Self {
            F32x4(unsafe { _mm_max_ps(x.0, self.0) })
        }
        #[inline(always)]
        pub fn eq_mask(self, o: Self) -> Self {
            F32x4(unsafe { _mm_cmpeq_ps(self.0, o.0) })
        }
        #[inline(always)]
        pub fn zero_where(self, mask: Self) -> Self {
            F32x4(unsafe { _mm_andnot_ps(mask.0, self.0) })
        }
        #[inline(always)]
        pub fn keep_where(self, mask: Self) -> Self {
            F32x4(unsafe { _mm_and_ps(self.0, mask.0) })
        }
        #[inline(always)]
        pub fn shl23_bits(self) -> Self {
            F32x4(unsafe { _mm_castsi128_ps(_mm_slli_epi32(_mm_castps_si128(self.0), 23)) })
        }
    }
}

#[cfg(not(any(
    target_arch = "x86_64",
    all(target_arch = "wasm32", target_feature = "simd128")
)))]
mod imp {
    #[derive(Clone, Copy)]
    pub struct F32x4([f32; 4]);

    #[inline(always)]
    fn map2(a: [f32; 4], b: [f32; 4], f: impl Fn(f32, f32) -> f32) -> F32x4 {
        F32x4([f(a[0], b[0]), f(a[1], b[1]), f(a[2], b[2]), f(a[3], b[3])])
    }

    impl F32x4 {
        #[inline(always)]
        pub fn splat(x: f32) -> Self {
            F32x4([x; 4])
        }
        #[inline(always)]
        pub fn load(x: &[f32; 4]) -> Self {
            F32x4(*x)
        }
        #[inline(always)]
        pub fn to_array(self) -> [f32; 4] {
            self.0
        }
        #[inline(always)]
        pub fn add(self, o: Self) -> Self {
            map2(self.0, o.0, |a, b| a + b)
        }
        #[inline(always)]
        pub fn sub(self, o: Self) -> Self {
            map2(self.0, o.0, |a, b| a - b)
        }
        #[inline(always)]
        pub fn mul(self, o: Self) -> Self {
            map2(self.0, o.0, |a, b| a * b)
        }
        #[inline(always)]
        pub fn clamp_below(self, lo: Self) -> Self {
            map2(self.0, lo.0, |a, lo| if a < lo { lo } else { a })
        }
        #[inline(always)]
        pub fn max_ignore_nan(self, x: Self) -> Self {
            map2(self.0, x.0, |m, x| if x > m { x } else { m })
        }
        #[inline(always)]
        pub fn eq_mask(self, o: Self) -> Self {
            map2(self.0, o.0, |a, b| {
                f32::from_bits(if a == b { u32::MAX } else { 0 })
            })
        }
        #[inline(always)]
        pub fn zero_where(self, mask: Self) -> Self {
            map2(self.0, mask.0, |a, m| {
                f32::from_bits(a.to_bits() & !m.to_bits())
            })
        }
        #[inline(always)]
        pub fn keep_where(self, mask: Self) -> Self {
            map2(self.0, mask.0, |a, m| {
                f32::from_bits(a.to_bits() & m.to_bits())
            })
        }
        #[inline(always)]
        pub fn shl23_bits(self) -> Self {
            map2(self.0, self.0, |a, _| f32::from_bits(a.to_bits() << 23))
        }
    }
}

pub use imp::F32x4;
