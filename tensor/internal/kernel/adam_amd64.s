//go:build !purego

#include "textflag.h"

// func adam8(p, grad, m, v *float32, n int, c *AdamCoef, l2 int)
//
// AdamGeneric on 8 lanes: n is a positive multiple of 8. Each operation is
// the one AdamGeneric performs, in its order: VFMADD231PS where it fuses
// (PyTorch's vec::fmadd), a separate VMULPS, VADDPS, VDIVPS or VSQRTPS
// elsewhere, so each lane is rounded as the pure-Go twin rounds it.
//
// Registers: DI p, SI g, DX m, R8 v, CX n, R9 l2, AX the index;
// Y8 β1, Y9 1−β1, Y10 β2, Y11 1−β2, Y12 L2, Y13 Decay, Y14 −step size,
// Y15 √(1−β2ᵗ), Y7 ε; Y0 g, Y1 p, Y2 m, Y3 v, Y4–Y5 temporaries.
// (VFMADD231PS a, b, c is c = b·a + c.)
TEXT ·adam8(SB), NOSPLIT, $0-56
	MOVQ p+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ m+16(FP), DX
	MOVQ v+24(FP), R8
	MOVQ n+32(FP), CX
	MOVQ c+40(FP), BX
	MOVQ l2+48(FP), R9
	VBROADCASTSS 0(BX), Y8
	VBROADCASTSS 4(BX), Y9
	VBROADCASTSS 8(BX), Y10
	VBROADCASTSS 12(BX), Y11
	VBROADCASTSS 16(BX), Y12
	VBROADCASTSS 20(BX), Y13
	VBROADCASTSS 24(BX), Y14
	VBROADCASTSS 28(BX), Y15
	VBROADCASTSS 32(BX), Y7
	XORQ AX, AX

loop:
	VMOVUPS (SI)(AX*4), Y0
	VMOVUPS (DI)(AX*4), Y1
	TESTQ   R9, R9
	JZ      nol2
	VFMADD231PS Y12, Y1, Y0    // g + p·L2

nol2:
	VMULPS  Y13, Y1, Y1        // p·Decay
	VMULPS  (DX)(AX*4), Y8, Y2 // m·β1
	VFMADD231PS Y9, Y0, Y2     // m = g·(1−β1) + m·β1
	VMULPS  (R8)(AX*4), Y10, Y3 // v·β2
	VMULPS  Y11, Y0, Y4        // (1−β2)·g
	VFMADD231PS Y0, Y4, Y3     // v = ((1−β2)·g)·g + v·β2
	VMOVUPS Y2, (DX)(AX*4)
	VMOVUPS Y3, (R8)(AX*4)
	VSQRTPS Y3, Y4             // √v
	VDIVPS  Y15, Y4, Y4        // √v / √(1−β2ᵗ)
	VADDPS  Y7, Y4, Y4         // + ε
	VMULPS  Y14, Y2, Y5        // −step size·m
	VDIVPS  Y4, Y5, Y5         // / denominator
	VADDPS  Y5, Y1, Y1         // p + …
	VMOVUPS Y1, (DI)(AX*4)
	ADDQ    $8, AX
	CMPQ    AX, CX
	JLT     loop
	VZEROUPPER
	RET
