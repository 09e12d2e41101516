//go:build !purego

#include "textflag.h"

// Vector math kernels, 8 float32 lanes with AVX2+FMA. Each loop handles n
// elements, n a positive multiple of 8; the Go wrappers in vec_amd64.go run
// the last n%8 through the same code on a padded copy. The algorithms are
// those of the pure-Go twins in vec.go, step for step.

// F8 defines a 32-byte constant: one float32 bit pattern in all 8 lanes.
#define F8(name, bits) DATA name<>+0(SB)/4, bits; DATA name<>+4(SB)/4, bits; DATA name<>+8(SB)/4, bits; DATA name<>+12(SB)/4, bits; DATA name<>+16(SB)/4, bits; DATA name<>+20(SB)/4, bits; DATA name<>+24(SB)/4, bits; DATA name<>+28(SB)/4, bits; GLOBL name<>(SB), RODATA|NOPTR, $32

F8(c_expMax, $0x42b20000) // 89.0
F8(c_expMin, $0xc2d00000) // -104.0
F8(c_log2e, $0x3fb8aa3b) // 1.4426950216293335
F8(c_rnd, $0x4b400000) // 12582912.0
F8(c_ln2Hi, $0x3f318000) // 0.693359375
F8(c_ln2Lo, $0xb95e8083) // -0.00021219444170128554
F8(c_p0, $0x3f000000) // 0.5
F8(c_p1, $0x3e2aaaaa) // 0.1666666567325592
F8(c_p2, $0x3d2aa9c1) // 0.04166579619050026
F8(c_p3, $0x3c088908) // 0.008333452045917511
F8(c_p4, $0x3ab743ce) // 0.001398199936375022
F8(c_p5, $0x39506967) // 0.00019875691214110702
F8(c_one, $0x3f800000) // 1.0
F8(c_two, $0x40000000) // 2.0
F8(c_half, $0x3f000000) // 0.5
F8(c_mhalf, $0xbf000000) // -0.5
F8(c_t1, $0xbeaaaa99) // -0.3333328068256378
F8(c_t2, $0x3e088393) // 0.13331441581249237
F8(c_t3, $0xbd5c1e2d) // -0.05373971536755562
F8(c_t4, $0x3ca9134e) // 0.0206390880048275
F8(c_t5, $0xbbbaf0ea) // -0.0057049887254834175
F8(c_tanhSmall, $0x3f200000) // 0.625
F8(c_loMin, $0xba83126f) // -0.0010000000474974513
F8(c_loMax, $0x3a83126f) // 0.0010000000474974513
F8(c_siluClamp, $0x43480000) // 200.0
F8(c_geluClamp, $0x41a00000) // 20.0
F8(c_erfK, $0x3eb504f3) // 0.3535533845424652
F8(c_n0, $0xbfa1fc4e) // -1.265512228012085
F8(c_n1, $0x3f8000c7) // 1.0000237226486206
F8(c_n2, $0x3ebf88fb) // 0.3740919530391693
F8(c_n3, $0x3dc636c9) // 0.09678418189287186
F8(c_n4, $0xbe3ec24c) // -0.18628805875778198
F8(c_n5, $0x3e8ec7cc) // 0.27886807918548584
F8(c_n6, $0xbf914e5d) // -1.1352039575576782
F8(c_n7, $0x3fbe87b0) // 1.488515853881836
F8(c_n8, $0xbf527892) // -0.8221522569656372
F8(c_n9, $0x3e2ef945) // 0.170872762799263
F8(c_invSqrt2Pi, $0x3ecc422a) // 0.3989422917366028
F8(c_gtAHi, $0x3fcc422a) // 1.5957691669464111
F8(c_gtALo, $0xb342bc9b) // -4.534068054340423e-08
F8(c_gtBHi, $0x3d922279) // 0.07135481387376785
F8(c_gtBLo, $0x3124d8b5) // 2.3988324659995897e-09
F8(c_gtB3, $0x3e5b33b6) // 0.21406444907188416
F8(c_bias, $127)
F8(c_absMask, $0x7fffffff)
F8(c_signMask, $0x80000000)

// EXPCORE finishes e^(H+L) once H is clamped: Cody–Waite reduction with
// n = round((H+L)·log2 e), r = H − n·ln2Hi − n·ln2Lo + L, Cephes' polynomial
// for eʳ, and the scale 2ⁿ applied in two halves. The result is in H; L, T0,
// T1 and T2 are clobbered. NaN in H propagates.
#define EXPCORE(H, L, T0, T1, T2) \
	VADDPS       L, H, T0              \
	VMULPS       c_log2e<>(SB), T0, T0 \
	VADDPS       c_rnd<>(SB), T0, T0   \
	VSUBPS       c_rnd<>(SB), T0, T1   \
	VFNMADD231PS c_ln2Hi<>(SB), T1, H  \
	VFNMADD231PS c_ln2Lo<>(SB), T1, H  \
	VADDPS       L, H, H               \
	VMULPS       H, H, T2              \
	VMOVUPS      c_p5<>(SB), T1        \
	VFMADD213PS  c_p4<>(SB), H, T1     \
	VFMADD213PS  c_p3<>(SB), H, T1     \
	VFMADD213PS  c_p2<>(SB), H, T1     \
	VFMADD213PS  c_p1<>(SB), H, T1     \
	VFMADD213PS  c_p0<>(SB), H, T1     \
	VFMADD213PS  H, T2, T1             \
	VADDPS       c_one<>(SB), T1, T1   \
	VPSUBD       c_rnd<>(SB), T0, T0   \
	VPSRAD       $1, T0, T2            \
	VPSUBD       T2, T0, T0            \
	VPADDD       c_bias<>(SB), T2, T2  \
	VPADDD       c_bias<>(SB), T0, T0  \
	VPSLLD       $23, T2, T2           \
	VPSLLD       $23, T0, T0           \
	VMULPS       T2, T1, T1            \
	VMULPS       T0, T1, H

// CLAMPEXP clamps H to [expMin, expMax], keeping NaN (the register operand
// is the one MINPS and MAXPS return when either is NaN).
#define CLAMPEXP(H, T0) \
	VBROADCASTSS c_expMax<>(SB), T0 \
	VMINPS       H, T0, H           \
	VBROADCASTSS c_expMin<>(SB), T0 \
	VMAXPS       H, T0, H

// EXP2 sets H = e^(H+L); see EXPCORE.
#define EXP2(H, L, T0, T1, T2) \
	CLAMPEXP(H, T0)            \
	EXPCORE(H, L, T0, T1, T2)

// EXP sets H = e^H; Z must hold zeros and is clobbered.
#define EXP(H, Z, T0, T1, T2) \
	VXORPS Z, Z, Z            \
	EXP2(H, Z, T0, T1, T2)

// CLAMP sets D = X clamped to ±c (c a constant), keeping NaN.
#define CLAMP(X, c, D, T) \
	VBROADCASTSS c, T      \
	VMINPS       X, T, D   \
	VORPS        c_signMask<>(SB), T, T \
	VMAXPS       D, T, D

// SIGMOID computes, from X, E = e^−|X|, D = 1 + E and S = σ(X): E/D where
// X < 0 and 1/D elsewhere. T0..T2 and Z are clobbered.
#define SIGMOID(X, E, D, S, Z, T0, T1, T2) \
	VORPS     c_signMask<>(SB), X, E \
	EXP(E, Z, T0, T1, T2)            \
	VADDPS    c_one<>(SB), E, D      \
	VXORPS    Z, Z, Z                \
	VCMPPS    $1, Z, X, Z            \
	VMOVUPS   c_one<>(SB), S         \
	VBLENDVPS Z, E, S, S             \
	VDIVPS    D, S, S

// LOOP runs the body on 8 floats at a time: Y0 is loaded from (SI), the
// body leaves its result in R, which is stored to (DI).
#define PROLOGUE \
	MOVQ dst+0(FP), DI \
	MOVQ src+8(FP), SI \
	MOVQ n+16(FP), CX

#define NEXT(R, label) \
	VMOVUPS R, (DI) \
	ADDQ    $32, SI \
	ADDQ    $32, DI \
	SUBQ    $8, CX  \
	JNZ     label   \
	VZEROUPPER      \
	RET

// func expAVX2(dst, src *float32, n int)
TEXT ·expAVX2(SB), NOSPLIT, $0-24
	PROLOGUE
expLoop:
	VMOVUPS (SI), Y0
	EXP(Y0, Y1, Y2, Y3, Y4)
	NEXT(Y0, expLoop)

// func expShiftSumAVX2(dst, src *float32, n int, shift float32) float64
TEXT ·expShiftSumAVX2(SB), NOSPLIT, $0-40
	PROLOGUE
	VBROADCASTSS shift+24(FP), Y8
	VXORPS       c_signMask<>(SB), Y8, Y11 // −shift
	VXORPD       Y9, Y9, Y9
	VXORPD       Y10, Y10, Y10
expShiftSumLoop:
	VMOVUPS (SI), Y0
	VSUBPS  Y8, Y0, Y1 // d = x − shift
	VSUBPS  Y0, Y1, Y2 // b = d − x
	VSUBPS  Y2, Y1, Y3 // d − b
	VSUBPS  Y3, Y0, Y3 // x − (d − b)
	VSUBPS  Y2, Y11, Y4 // −shift − b
	VADDPS  Y4, Y3, Y3  // lo
	VMAXPS  c_loMin<>(SB), Y3, Y3
	VMINPS  c_loMax<>(SB), Y3, Y3
	EXP2(Y1, Y3, Y2, Y4, Y5)
	VMOVUPS      Y1, (DI)
	VCVTPS2PD    X1, Y6
	VADDPD       Y6, Y9, Y9
	VEXTRACTF128 $1, Y1, X6
	VCVTPS2PD    X6, Y6
	VADDPD       Y6, Y10, Y10
	ADDQ         $32, SI
	ADDQ         $32, DI
	SUBQ         $8, CX
	JNZ          expShiftSumLoop
	VADDPD       Y10, Y9, Y9
	VEXTRACTF128 $1, Y9, X10
	VADDPD       X10, X9, X9
	VPERMILPD    $1, X9, X10
	VADDSD       X10, X9, X9
	VMOVSD       X9, ret+32(FP)
	VZEROUPPER
	RET

// func tanhAVX2(dst, src *float32, n int)
TEXT ·tanhAVX2(SB), NOSPLIT, $0-24
	PROLOGUE
tanhLoop:
	VMOVUPS     (SI), Y0
	VANDPS      c_absMask<>(SB), Y0, Y1 // a = |x|
	// near 0: x + x·z·P(z), z = x²
	VMULPS      Y0, Y0, Y2
	VMOVUPS     c_t5<>(SB), Y3
	VFMADD213PS c_t4<>(SB), Y2, Y3
	VFMADD213PS c_t3<>(SB), Y2, Y3
	VFMADD213PS c_t2<>(SB), Y2, Y3
	VFMADD213PS c_t1<>(SB), Y2, Y3
	VMULPS      Y2, Y0, Y4
	VFMADD213PS Y0, Y4, Y3
	// elsewhere: ±(1 − 2/(e^2a + 1))
	VADDPS      Y1, Y1, Y5
	EXP(Y5, Y6, Y7, Y8, Y9)
	VADDPS      c_one<>(SB), Y5, Y5
	VMOVUPS     c_two<>(SB), Y6
	VDIVPS      Y5, Y6, Y6
	VMOVUPS     c_one<>(SB), Y7
	VSUBPS      Y6, Y7, Y7
	VANDPS      c_signMask<>(SB), Y0, Y8
	VORPS       Y8, Y7, Y7
	VCMPPS      $1, c_tanhSmall<>(SB), Y1, Y9 // a < 0.625
	VBLENDVPS   Y9, Y3, Y7, Y0
	NEXT(Y0, tanhLoop)

// func sigmoidAVX2(dst, src *float32, n int)
TEXT ·sigmoidAVX2(SB), NOSPLIT, $0-24
	PROLOGUE
sigmoidLoop:
	VMOVUPS (SI), Y0
	SIGMOID(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7)
	NEXT(Y3, sigmoidLoop)

// func siluAVX2(dst, src *float32, n int)
TEXT ·siluAVX2(SB), NOSPLIT, $0-24
	PROLOGUE
siluLoop:
	VMOVUPS (SI), Y0
	SIGMOID(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7)
	VMULPS  Y3, Y0, Y0
	NEXT(Y0, siluLoop)

// func siluGradAVX2(dst, src *float32, n int)
TEXT ·siluGradAVX2(SB), NOSPLIT, $0-24
	PROLOGUE
siluGradLoop:
	VMOVUPS     (SI), Y0
	SIGMOID(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7)
	VMULPS      Y2, Y2, Y5 // d²
	VDIVPS      Y5, Y1, Y5 // e/d² = σ(1−σ)
	CLAMP(Y0, c_siluClamp<>(SB), Y7, Y6)
	VFMADD213PS Y3, Y5, Y7 // σ + x·σ(1−σ)
	NEXT(Y7, siluGradLoop)

// PHI computes Φ(X) into P with the clamped |X| in A: c = Φ(−A) =
// t/2·exp(−A²/2 + Q(t)), t = 1/(1 + A·erfK), and P = c where X < 0, 1 − c
// elsewhere. It leaves −A²/2 in two parts in Y10 (high) and Y9 (low), for
// the derivative. Y1..Y11 are clobbered except A (Y1).
#define PHI(X, P) \
	VANDPS       c_absMask<>(SB), X, Y1     \
	VBROADCASTSS c_geluClamp<>(SB), Y2      \
	VMINPS       Y1, Y2, Y1                 \
	VMOVUPS      c_one<>(SB), Y3            \
	VFMADD231PS  c_erfK<>(SB), Y1, Y3       \
	VMOVUPS      c_one<>(SB), Y4            \
	VDIVPS       Y3, Y4, Y4                 \
	VMOVUPS      c_n9<>(SB), Y5             \
	VFMADD213PS  c_n8<>(SB), Y4, Y5         \
	VFMADD213PS  c_n7<>(SB), Y4, Y5         \
	VFMADD213PS  c_n6<>(SB), Y4, Y5         \
	VFMADD213PS  c_n5<>(SB), Y4, Y5         \
	VFMADD213PS  c_n4<>(SB), Y4, Y5         \
	VFMADD213PS  c_n3<>(SB), Y4, Y5         \
	VFMADD213PS  c_n2<>(SB), Y4, Y5         \
	VFMADD213PS  c_n1<>(SB), Y4, Y5         \
	VFMADD213PS  c_n0<>(SB), Y4, Y5         \
	VMULPS       Y1, Y1, Y6                 \
	VMOVAPS      Y6, Y7                     \
	VFMSUB231PS  Y1, Y1, Y7                 \
	VMULPS       c_mhalf<>(SB), Y6, Y6      \
	VMULPS       c_mhalf<>(SB), Y7, Y9      \
	VMOVAPS      Y6, Y10                    \
	VADDPS       Y9, Y5, Y5                 \
	EXP2(Y6, Y5, Y2, Y3, Y8)                \
	VMULPS       c_half<>(SB), Y4, Y4       \
	VMULPS       Y6, Y4, Y4                 \
	VMOVUPS      c_one<>(SB), P             \
	VSUBPS       Y4, P, P                   \
	VXORPS       Y8, Y8, Y8                 \
	VCMPPS       $1, Y8, X, Y8              \
	VBLENDVPS    Y8, Y4, P, P

// func geluErfAVX2(dst, src *float32, n int)
TEXT ·geluErfAVX2(SB), NOSPLIT, $0-24
	PROLOGUE
geluErfLoop:
	VMOVUPS (SI), Y0
	PHI(Y0, Y11)
	VMULPS  Y11, Y0, Y0
	NEXT(Y0, geluErfLoop)

// func geluErfGradAVX2(dst, src *float32, n int)
TEXT ·geluErfGradAVX2(SB), NOSPLIT, $0-24
	PROLOGUE
geluErfGradLoop:
	VMOVUPS     (SI), Y0
	PHI(Y0, Y11)
	EXP2(Y10, Y9, Y2, Y3, Y4)
	VMULPS      c_invSqrt2Pi<>(SB), Y10, Y10 // φ(x)
	CLAMP(Y0, c_geluClamp<>(SB), Y12, Y13)
	VFMADD213PS Y11, Y10, Y12 // Φ + x·φ
	NEXT(Y12, geluErfGradLoop)

// func geluErfAndGradAVX2(y, d, src *float32, n int)
// geluErfAVX2 and geluErfGradAVX2 in one loop: y = x·Φ(x) and
// d = Φ(x) + x·φ(x), with Φ(x) computed once.
TEXT ·geluErfAndGradAVX2(SB), NOSPLIT, $0-32
	MOVQ y+0(FP), DI
	MOVQ d+8(FP), DX
	MOVQ src+16(FP), SI
	MOVQ n+24(FP), CX
geluErfAndGradLoop:
	VMOVUPS     (SI), Y0
	PHI(Y0, Y11)
	VMULPS      Y11, Y0, Y14 // x·Φ
	EXP2(Y10, Y9, Y2, Y3, Y4)
	VMULPS      c_invSqrt2Pi<>(SB), Y10, Y10 // φ(x)
	CLAMP(Y0, c_geluClamp<>(SB), Y12, Y13)
	VFMADD213PS Y11, Y10, Y12 // Φ + x·φ
	VMOVUPS     Y14, (DI)
	VMOVUPS     Y12, (DX)
	ADDQ        $32, SI
	ADDQ        $32, DI
	ADDQ        $32, DX
	SUBQ        $8, CX
	JNZ         geluErfAndGradLoop
	VZEROUPPER
	RET

// GTPARTS computes, for X clamped to ±geluClamp in Y1, v = X(A + B·X²) in
// two parts and then E = e^−|v|, D = 1 + E and S = σ(v). It leaves X² in Y2.
// Y3..Y11 are clobbered.
#define GTPARTS(E, D, S) \
	CLAMP(Y0, c_geluClamp<>(SB), Y1, Y2)   \
	VMULPS      Y1, Y1, Y2                  \
	VMOVAPS     Y2, Y3                      \
	VFMSUB231PS Y1, Y1, Y3                  \
	VMULPS      c_gtBHi<>(SB), Y2, Y4       \
	VMOVAPS     Y4, Y5                      \
	VFMSUB231PS c_gtBHi<>(SB), Y2, Y5       \
	VADDPS      c_gtAHi<>(SB), Y4, Y6       \
	VMAXPS      c_gtAHi<>(SB), Y4, Y7       \
	VMINPS      c_gtAHi<>(SB), Y4, Y8       \
	VSUBPS      Y6, Y7, Y7                  \
	VADDPS      Y8, Y7, Y7                  \
	VADDPS      c_gtALo<>(SB), Y5, Y5       \
	VFMADD231PS c_gtBLo<>(SB), Y2, Y5       \
	VFMADD231PS c_gtBHi<>(SB), Y3, Y5       \
	VADDPS      Y5, Y7, Y7                  \
	VMULPS      Y6, Y1, Y8                  \
	VMOVAPS     Y8, Y9                      \
	VFMSUB231PS Y6, Y1, Y9                  \
	VFMADD231PS Y7, Y1, Y9                  \
	VXORPS      Y10, Y10, Y10               \
	VCMPPS      $1, Y1, Y10, Y11            \
	VANDPS      c_signMask<>(SB), Y11, Y11  \
	VXORPS      Y11, Y8, Y8                 \
	VXORPS      Y11, Y9, Y9                 \
	EXP2(Y8, Y9, Y3, Y4, Y5)                \
	VMOVAPS     Y8, E                       \
	VADDPS      c_one<>(SB), E, D           \
	VCMPPS      $1, Y10, Y1, Y10            \
	VMOVUPS     c_one<>(SB), S              \
	VBLENDVPS   Y10, E, S, S                \
	VDIVPS      D, S, S

// func geluTanhAVX2(dst, src *float32, n int)
TEXT ·geluTanhAVX2(SB), NOSPLIT, $0-24
	PROLOGUE
geluTanhLoop:
	VMOVUPS (SI), Y0
	GTPARTS(Y12, Y13, Y14)
	VMULPS  Y14, Y0, Y0
	NEXT(Y0, geluTanhLoop)

// func geluTanhGradAVX2(dst, src *float32, n int)
TEXT ·geluTanhGradAVX2(SB), NOSPLIT, $0-24
	PROLOGUE
geluTanhGradLoop:
	VMOVUPS     (SI), Y0
	GTPARTS(Y12, Y13, Y14)
	VMOVUPS     c_gtB3<>(SB), Y15
	VFMADD213PS c_gtAHi<>(SB), Y2, Y15 // A + 3B·x²
	VMULPS      Y15, Y1, Y15           // x·(A + 3B·x²)
	VMULPS      Y13, Y13, Y13          // d²
	VDIVPS      Y13, Y12, Y12          // e/d² = σ(1−σ)
	VFMADD213PS Y14, Y12, Y15
	NEXT(Y15, geluTanhGradLoop)

// func maxAVX2(x *float32, n int) float32
TEXT ·maxAVX2(SB), NOSPLIT, $0-20
	MOVQ    x+0(FP), SI
	MOVQ    n+8(FP), CX
	VMOVUPS (SI), Y0           // running maxima
	VCMPPS  $3, Y0, Y0, Y1     // lanes that saw a NaN
	ADDQ    $32, SI
	SUBQ    $8, CX
	JZ      maxReduce
maxLoop:
	VMOVUPS (SI), Y2
	VMAXPS  Y0, Y2, Y0
	VCMPPS  $3, Y2, Y2, Y3
	VORPS   Y3, Y1, Y1
	ADDQ    $32, SI
	SUBQ    $8, CX
	JNZ     maxLoop
maxReduce:
	VEXTRACTF128 $1, Y0, X2
	VMAXPS       X2, X0, X0
	VPERMILPS    $0x4e, X0, X2
	VMAXPS       X2, X0, X0
	VPERMILPS    $0xb1, X0, X2
	VMAXPS       X2, X0, X0
	VMOVMSKPS    Y1, AX
	TESTL        AX, AX
	JZ           maxDone
	MOVL         $0x7fc00000, AX // NaN
	MOVL         AX, X0
maxDone:
	MOVSS        X0, ret+16(FP)
	VZEROUPPER
	RET
