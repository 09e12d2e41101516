//go:build !purego

#include "textflag.h"

// func copy6(kc int, src *float32, lds int, dst *float32)
TEXT ·copy6(SB), NOSPLIT, $0-32
	MOVQ kc+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ lds+16(FP), R8
	SHLQ $2, R8
	MOVQ dst+24(FP), DI

loop:
	VMOVUPS (SI), X0
	MOVQ    16(SI), AX
	VMOVUPS X0, (DI)
	MOVQ    AX, 16(DI)
	ADDQ    R8, SI
	ADDQ    $24, DI
	DECQ    CX
	JNZ     loop
	VZEROUPPER
	RET

// func copy16(kc int, src *float32, lds int, dst *float32)
TEXT ·copy16(SB), NOSPLIT, $0-32
	MOVQ kc+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ lds+16(FP), R8
	SHLQ $2, R8
	MOVQ dst+24(FP), DI

loop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ    R8, SI
	ADDQ    $64, DI
	DECQ    CX
	JNZ     loop
	VZEROUPPER
	RET

// TRANSPOSE8 transposes the 8×8 block in Y0..Y7 (row i in Yi) into
// Y8..Y15 (column p in Y(8+p)), using Y0..Y7 as scratch.
#define TRANSPOSE8 \
	VUNPCKLPS  Y1, Y0, Y8         \
	VUNPCKHPS  Y1, Y0, Y9         \
	VUNPCKLPS  Y3, Y2, Y10        \
	VUNPCKHPS  Y3, Y2, Y11        \
	VUNPCKLPS  Y5, Y4, Y12        \
	VUNPCKHPS  Y5, Y4, Y13        \
	VUNPCKLPS  Y7, Y6, Y14        \
	VUNPCKHPS  Y7, Y6, Y15        \
	VSHUFPS    $0x44, Y10, Y8, Y0 \
	VSHUFPS    $0xEE, Y10, Y8, Y1 \
	VSHUFPS    $0x44, Y11, Y9, Y2 \
	VSHUFPS    $0xEE, Y11, Y9, Y3 \
	VSHUFPS    $0x44, Y14, Y12, Y4 \
	VSHUFPS    $0xEE, Y14, Y12, Y5 \
	VSHUFPS    $0x44, Y15, Y13, Y6 \
	VSHUFPS    $0xEE, Y15, Y13, Y7 \
	VPERM2F128 $0x20, Y4, Y0, Y8  \
	VPERM2F128 $0x20, Y5, Y1, Y9  \
	VPERM2F128 $0x20, Y6, Y2, Y10 \
	VPERM2F128 $0x20, Y7, Y3, Y11 \
	VPERM2F128 $0x31, Y4, Y0, Y12 \
	VPERM2F128 $0x31, Y5, Y1, Y13 \
	VPERM2F128 $0x31, Y6, Y2, Y14 \
	VPERM2F128 $0x31, Y7, Y3, Y15

// func transpose8(k8 int, src *float32, lds int, dst *float32, ldd int)
TEXT ·transpose8(SB), NOSPLIT, $0-40
	MOVQ k8+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ lds+16(FP), R8
	SHLQ $2, R8
	MOVQ dst+24(FP), DI
	MOVQ ldd+32(FP), R11
	SHLQ $2, R11
	LEAQ (R8)(R8*2), R12 // 3·lds

loop:
	LEAQ    (SI)(R12*1), R9 // row 3
	LEAQ    (R9)(R12*1), R10 // row 6
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R8*1), Y1
	VMOVUPS (SI)(R8*2), Y2
	VMOVUPS (R9), Y3
	VMOVUPS (R9)(R8*1), Y4
	VMOVUPS (R9)(R8*2), Y5
	VMOVUPS (R10), Y6
	VMOVUPS (R10)(R8*1), Y7
	TRANSPOSE8
	MOVQ    DI, AX
	VMOVUPS Y8, (AX)
	ADDQ    R11, AX
	VMOVUPS Y9, (AX)
	ADDQ    R11, AX
	VMOVUPS Y10, (AX)
	ADDQ    R11, AX
	VMOVUPS Y11, (AX)
	ADDQ    R11, AX
	VMOVUPS Y12, (AX)
	ADDQ    R11, AX
	VMOVUPS Y13, (AX)
	ADDQ    R11, AX
	VMOVUPS Y14, (AX)
	ADDQ    R11, AX
	VMOVUPS Y15, (AX)
	ADDQ    R11, AX
	MOVQ    AX, DI
	ADDQ    $32, SI
	DECQ    CX
	JNZ     loop
	VZEROUPPER
	RET

// STORE6 stores the low 6 floats of a column: 4 from the low lane, 2 from
// the high one.
#define STORE6(y, x, off) \
	VMOVUPS      x, off(DI)      \
	VEXTRACTF128 $1, y, X0       \
	VMOVSD       X0, off+16(DI)

// func transpose6(k8 int, src *float32, lds int, dst *float32)
TEXT ·transpose6(SB), NOSPLIT, $0-32
	MOVQ k8+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ lds+16(FP), R8
	SHLQ $2, R8
	MOVQ dst+24(FP), DI
	LEAQ (R8)(R8*2), R12 // 3·lds

loop:
	LEAQ    (SI)(R12*1), R9 // row 3
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R8*1), Y1
	VMOVUPS (SI)(R8*2), Y2
	VMOVUPS (R9), Y3
	VMOVUPS (R9)(R8*1), Y4
	VMOVUPS (R9)(R8*2), Y5
	VXORPS  Y6, Y6, Y6
	VXORPS  Y7, Y7, Y7
	TRANSPOSE8
	STORE6(Y8, X8, 0)
	STORE6(Y9, X9, 24)
	STORE6(Y10, X10, 48)
	STORE6(Y11, X11, 72)
	STORE6(Y12, X12, 96)
	STORE6(Y13, X13, 120)
	STORE6(Y14, X14, 144)
	STORE6(Y15, X15, 168)
	ADDQ    $192, DI
	ADDQ    $32, SI
	DECQ    CX
	JNZ     loop
	VZEROUPPER
	RET
