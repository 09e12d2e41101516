//go:build !purego

#include "textflag.h"

// func layerNormSumsAVX2(dw, db, x, gy, w *float32, n int, mean, rstd float32) (sd, sdx float32)
TEXT ·layerNormSumsAVX2(SB), NOSPLIT, $0-64
	MOVQ         dw+0(FP), DI
	MOVQ         db+8(FP), DX
	MOVQ         x+16(FP), SI
	MOVQ         gy+24(FP), R8
	MOVQ         w+32(FP), R9
	MOVQ         n+40(FP), CX
	VBROADCASTSS mean+48(FP), Y14
	VBROADCASTSS rstd+52(FP), Y15
	VXORPS       Y12, Y12, Y12 // Σ d
	VXORPS       Y13, Y13, Y13 // Σ d·x̂
	XORQ         AX, AX

sumsLoop:
	VMOVUPS     (SI)(AX*4), Y0
	VSUBPS      Y14, Y0, Y0       // x − mean
	VMULPS      Y15, Y0, Y0       // x̂
	VMOVUPS     (R8)(AX*4), Y1    // g
	VMULPS      (R9)(AX*4), Y1, Y2 // d = g·w
	VADDPS      Y2, Y12, Y12
	VFMADD231PS Y2, Y0, Y13
	VMOVUPS     (DI)(AX*4), Y3
	VFMADD231PS Y1, Y0, Y3        // dw + g·x̂
	VMOVUPS     Y3, (DI)(AX*4)
	VADDPS      (DX)(AX*4), Y1, Y4 // db + g
	VMOVUPS     Y4, (DX)(AX*4)
	ADDQ        $8, AX
	CMPQ        AX, CX
	JLT         sumsLoop

	VEXTRACTF128 $1, Y12, X0
	VADDPS       X0, X12, X12
	VEXTRACTF128 $1, Y13, X1
	VADDPS       X1, X13, X13
	VPERMILPS    $0x4e, X12, X0
	VADDPS       X0, X12, X12
	VPERMILPS    $0x4e, X13, X1
	VADDPS       X1, X13, X13
	VPERMILPS    $0xb1, X12, X0
	VADDSS       X0, X12, X12
	VPERMILPS    $0xb1, X13, X1
	VADDSS       X1, X13, X13
	MOVSS        X12, sd+56(FP)
	MOVSS        X13, sdx+60(FP)
	VZEROUPPER
	RET

// func layerNormDxAVX2(dx, x, gy, w *float32, n int, mean, rstd, md, mdx float32)
TEXT ·layerNormDxAVX2(SB), NOSPLIT, $0-56
	MOVQ         dx+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         gy+16(FP), R8
	MOVQ         w+24(FP), R9
	MOVQ         n+32(FP), CX
	VBROADCASTSS mean+40(FP), Y12
	VBROADCASTSS rstd+44(FP), Y13
	VBROADCASTSS md+48(FP), Y14
	VBROADCASTSS mdx+52(FP), Y15
	XORQ         AX, AX

dxLoop:
	VMOVUPS      (SI)(AX*4), Y0
	VSUBPS       Y12, Y0, Y0        // x − mean
	VMULPS       Y13, Y0, Y0        // x̂
	VMOVUPS      (R8)(AX*4), Y1     // g
	VFMSUB132PS  (R9)(AX*4), Y14, Y1 // g·w − md
	VFNMADD231PS Y15, Y0, Y1        // − x̂·mdx
	VMOVUPS      (DI)(AX*4), Y2
	VFMADD231PS  Y13, Y1, Y2        // dx + rstd·t
	VMOVUPS      Y2, (DI)(AX*4)
	ADDQ         $8, AX
	CMPQ         AX, CX
	JLT          dxLoop
	VZEROUPPER
	RET

// func layerNormSum4AVX2(x *float32, n int, s *[4]float64)
TEXT ·layerNormSum4AVX2(SB), NOSPLIT, $0-24
	MOVQ    x+0(FP), SI
	MOVQ    n+8(FP), CX
	MOVQ    s+16(FP), DI
	VMOVUPD (DI), Y1
	XORQ    AX, AX

sum4Loop:
	VCVTPS2PD (SI)(AX*4), Y0
	VADDPD    Y0, Y1, Y1
	ADDQ      $4, AX
	CMPQ      AX, CX
	JLT       sum4Loop
	VMOVUPD   Y1, (DI)
	VZEROUPPER
	RET

// func layerNormSqDev4AVX2(x *float32, n int, m float64, s *[4]float64)
TEXT ·layerNormSqDev4AVX2(SB), NOSPLIT, $0-32
	MOVQ         x+0(FP), SI
	MOVQ         n+8(FP), CX
	VBROADCASTSD m+16(FP), Y2
	MOVQ         s+24(FP), DI
	VMOVUPD      (DI), Y1
	XORQ         AX, AX

sqDevLoop:
	VCVTPS2PD (SI)(AX*4), Y0
	VSUBPD    Y2, Y0, Y0
	VMULPD    Y0, Y0, Y0
	VADDPD    Y0, Y1, Y1
	ADDQ      $4, AX
	CMPQ      AX, CX
	JLT       sqDevLoop
	VMOVUPD   Y1, (DI)
	VZEROUPPER
	RET

// func layerNormApplyAVX2(y, x, w, b *float32, n int, mean, rstd float32)
TEXT ·layerNormApplyAVX2(SB), NOSPLIT, $0-48
	MOVQ         y+0(FP), DI
	MOVQ         x+8(FP), SI
	MOVQ         w+16(FP), R8
	MOVQ         b+24(FP), R9
	MOVQ         n+32(FP), CX
	VBROADCASTSS mean+40(FP), Y14
	VBROADCASTSS rstd+44(FP), Y15
	XORQ         AX, AX

applyLoop:
	VMOVUPS (SI)(AX*4), Y0
	VSUBPS  Y14, Y0, Y0
	VMULPS  Y15, Y0, Y0
	VMULPS  (R8)(AX*4), Y0, Y0
	VADDPS  (R9)(AX*4), Y0, Y0
	VMOVUPS Y0, (DI)(AX*4)
	ADDQ    $8, AX
	CMPQ    AX, CX
	JLT     applyLoop
	VZEROUPPER
	RET
