//go:build !purego

#include "textflag.h"

// Elementwise arithmetic with AVX2: 32 float32 per iteration (four 8-lane
// registers), then 8 at a time, then one at a time with the scalar forms of
// the same instructions, so every element gets the same IEEE operation as
// in the pure-Go twins of binop.go. n ≥ 0 is any length. Loads of a chunk
// come before its stores, so z may be x or y itself.
//
// Registers: DI z, SI x, DX y, CX n, AX the index, BX the end of a loop,
// Y15 the broadcast scalar.

// VV computes z = x OP y with the packed op P and the scalar op S.
#define VV(P, S) \
	MOVQ z+0(FP), DI            \
	MOVQ x+8(FP), SI            \
	MOVQ y+16(FP), DX           \
	MOVQ n+24(FP), CX           \
	XORQ AX, AX                 \
	MOVQ CX, BX                 \
	ANDQ $-32, BX               \
	JZ   vv8                    \
vv32:                           \
	VMOVUPS (SI)(AX*4), Y0      \
	VMOVUPS 32(SI)(AX*4), Y1    \
	VMOVUPS 64(SI)(AX*4), Y2    \
	VMOVUPS 96(SI)(AX*4), Y3    \
	P       (DX)(AX*4), Y0, Y0  \
	P       32(DX)(AX*4), Y1, Y1 \
	P       64(DX)(AX*4), Y2, Y2 \
	P       96(DX)(AX*4), Y3, Y3 \
	VMOVUPS Y0, (DI)(AX*4)      \
	VMOVUPS Y1, 32(DI)(AX*4)    \
	VMOVUPS Y2, 64(DI)(AX*4)    \
	VMOVUPS Y3, 96(DI)(AX*4)    \
	ADDQ    $32, AX             \
	CMPQ    AX, BX              \
	JLT     vv32                \
vv8:                            \
	MOVQ    CX, BX              \
	ANDQ    $-8, BX             \
	CMPQ    AX, BX              \
	JGE     vv1                 \
vv8loop:                        \
	VMOVUPS (SI)(AX*4), Y0      \
	P       (DX)(AX*4), Y0, Y0  \
	VMOVUPS Y0, (DI)(AX*4)      \
	ADDQ    $8, AX              \
	CMPQ    AX, BX              \
	JLT     vv8loop             \
vv1:                            \
	CMPQ    AX, CX              \
	JGE     vvdone              \
vv1loop:                        \
	VMOVSS  (SI)(AX*4), X0      \
	S       (DX)(AX*4), X0, X0  \
	VMOVSS  X0, (DI)(AX*4)      \
	INCQ    AX                  \
	CMPQ    AX, CX              \
	JLT     vv1loop             \
vvdone:                         \
	VZEROUPPER                  \
	RET

// func addVV(z, x, y *float32, n int)
TEXT ·addVV(SB), NOSPLIT, $0-32
	VV(VADDPS, VADDSS)

// func subVV(z, x, y *float32, n int)
TEXT ·subVV(SB), NOSPLIT, $0-32
	VV(VSUBPS, VSUBSS)

// func mulVV(z, x, y *float32, n int)
TEXT ·mulVV(SB), NOSPLIT, $0-32
	VV(VMULPS, VMULSS)

// func divVV(z, x, y *float32, n int)
TEXT ·divVV(SB), NOSPLIT, $0-32
	VV(VDIVPS, VDIVSS)

// UNARY runs z[i] = f(x[i]) where STEP8 and STEP1 turn the 8 or 1 loaded
// elements in R (a Y or X register) into the result in place: the loops of
// VV with one input. For the accumulating ops the step reads z itself.
#define UNARY(STEP8, STEP1) \
	MOVQ z+0(FP), DI            \
	MOVQ x+8(FP), SI            \
	MOVQ n+24(FP), CX           \
	XORQ AX, AX                 \
	MOVQ CX, BX                 \
	ANDQ $-32, BX               \
	JZ   un8                    \
un32:                           \
	VMOVUPS (SI)(AX*4), Y0      \
	VMOVUPS 32(SI)(AX*4), Y1    \
	VMOVUPS 64(SI)(AX*4), Y2    \
	VMOVUPS 96(SI)(AX*4), Y3    \
	STEP8(Y0, 0)                \
	STEP8(Y1, 32)               \
	STEP8(Y2, 64)               \
	STEP8(Y3, 96)               \
	VMOVUPS Y0, (DI)(AX*4)      \
	VMOVUPS Y1, 32(DI)(AX*4)    \
	VMOVUPS Y2, 64(DI)(AX*4)    \
	VMOVUPS Y3, 96(DI)(AX*4)    \
	ADDQ    $32, AX             \
	CMPQ    AX, BX              \
	JLT     un32                \
un8:                            \
	MOVQ    CX, BX              \
	ANDQ    $-8, BX             \
	CMPQ    AX, BX              \
	JGE     un1                 \
un8loop:                        \
	VMOVUPS (SI)(AX*4), Y0      \
	STEP8(Y0, 0)                \
	VMOVUPS Y0, (DI)(AX*4)      \
	ADDQ    $8, AX              \
	CMPQ    AX, BX              \
	JLT     un8loop             \
un1:                            \
	CMPQ    AX, CX              \
	JGE     undone              \
un1loop:                        \
	VMOVSS  (SI)(AX*4), X0      \
	STEP1(X0)                   \
	VMOVSS  X0, (DI)(AX*4)      \
	INCQ    AX                  \
	CMPQ    AX, CX              \
	JLT     un1loop             \
undone:                         \
	VZEROUPPER                  \
	RET

// Steps for x op s (VS), s op x (SV), z + s·x (AXPY) and z + x·y (ADDMUL);
// OFF is the byte offset of the register's elements from index AX.
#define VSADD8(R, OFF) VADDPS Y15, R, R
#define VSADD1(R) VADDSS X15, R, R
#define VSSUB8(R, OFF) VSUBPS Y15, R, R
#define VSSUB1(R) VSUBSS X15, R, R
#define VSMUL8(R, OFF) VMULPS Y15, R, R
#define VSMUL1(R) VMULSS X15, R, R
#define VSDIV8(R, OFF) VDIVPS Y15, R, R
#define VSDIV1(R) VDIVSS X15, R, R
#define SVSUB8(R, OFF) VSUBPS R, Y15, R
#define SVSUB1(R) VSUBSS R, X15, R
#define SVDIV8(R, OFF) VDIVPS R, Y15, R
#define SVDIV1(R) VDIVSS R, X15, R
#define AXPY8(R, OFF) VMULPS Y15, R, R; VADDPS OFF(DI)(AX*4), R, R
#define AXPY1(R) VMULSS X15, R, R; VADDSS (DI)(AX*4), R, R
#define ADDMUL8(R, OFF) VMULPS OFF(DX)(AX*4), R, R; VADDPS OFF(DI)(AX*4), R, R
#define ADDMUL1(R) VMULSS (DX)(AX*4), R, R; VADDSS (DI)(AX*4), R, R

// The vector-scalar loops take (z, x *float32, s float32, n int) and
// broadcast s to Y15.

// func addVS(z, x *float32, s float32, n int)
TEXT ·addVS(SB), NOSPLIT, $0-32
	VBROADCASTSS s+16(FP), Y15
	UNARY(VSADD8, VSADD1)

// func subVS(z, x *float32, s float32, n int)
TEXT ·subVS(SB), NOSPLIT, $0-32
	VBROADCASTSS s+16(FP), Y15
	UNARY(VSSUB8, VSSUB1)

// func mulVS(z, x *float32, s float32, n int)
TEXT ·mulVS(SB), NOSPLIT, $0-32
	VBROADCASTSS s+16(FP), Y15
	UNARY(VSMUL8, VSMUL1)

// func divVS(z, x *float32, s float32, n int)
TEXT ·divVS(SB), NOSPLIT, $0-32
	VBROADCASTSS s+16(FP), Y15
	UNARY(VSDIV8, VSDIV1)

// func subSV(z, x *float32, s float32, n int) computes z = s − x.
TEXT ·subSV(SB), NOSPLIT, $0-32
	VBROADCASTSS s+16(FP), Y15
	UNARY(SVSUB8, SVSUB1)

// func divSV(z, x *float32, s float32, n int) computes z = s / x.
TEXT ·divSV(SB), NOSPLIT, $0-32
	VBROADCASTSS s+16(FP), Y15
	UNARY(SVDIV8, SVDIV1)

// func axpy(z, x *float32, s float32, n int) computes z += s·x.
TEXT ·axpy(SB), NOSPLIT, $0-32
	VBROADCASTSS s+16(FP), Y15
	UNARY(AXPY8, AXPY1)

// func addMul(z, x, y *float32, n int) computes z += x·y.
TEXT ·addMul(SB), NOSPLIT, $0-32
	MOVQ y+16(FP), DX
	UNARY(ADDMUL8, ADDMUL1)

// GROUP4 adds to ACC the float64 sum ((r0+r1)+(r2+r3)) of the four float32
// at byte offset OFF in rows R10, R10+R9, R12 and R12+R9, with T0..T3 as
// scratch.
#define GROUP4(OFF, ACC, T0, T1, T2, T3) \
	VCVTPS2PD OFF(R10), T0        \
	VCVTPS2PD OFF(R10)(R9*1), T1  \
	VCVTPS2PD OFF(R12), T2        \
	VCVTPS2PD OFF(R12)(R9*1), T3  \
	VADDPD    T1, T0, T0          \
	VADDPD    T3, T2, T2          \
	VADDPD    T2, T0, T0          \
	VADDPD    T0, ACC, ACC

// ROW1 adds the four float32 at byte offset OFF in row R10 to ACC.
#define ROW1(OFF, ACC, T0) \
	VCVTPS2PD OFF(R10), T0 \
	VADDPD    T0, ACC, ACC

// func colSum(acc *float64, x *float32, rows, ld, cols int)
//
// acc[j] += Σ_r x[r·ld+j] for j < cols, rows four at a time as in
// ColSumGeneric; rows > 0, cols a positive multiple of 4. Columns go 16 at a
// time (one 64-byte run per row, four float64 accumulators), then 4.
TEXT ·colSum(SB), NOSPLIT, $0-40
	MOVQ acc+0(FP), DI
	MOVQ x+8(FP), SI
	MOVQ rows+16(FP), R8
	MOVQ ld+24(FP), R9
	SHLQ $2, R9 // row stride in bytes
	MOVQ cols+32(FP), CX

cs16:
	CMPQ    CX, $16
	JLT     cs4
	VMOVUPD (DI), Y0
	VMOVUPD 32(DI), Y1
	VMOVUPD 64(DI), Y2
	VMOVUPD 96(DI), Y3
	MOVQ    SI, R10
	MOVQ    R8, R11

cs16g:
	CMPQ R11, $4
	JLT  cs16r
	LEAQ (R10)(R9*2), R12
	GROUP4(0, Y0, Y4, Y5, Y6, Y7)
	GROUP4(16, Y1, Y8, Y9, Y10, Y11)
	GROUP4(32, Y2, Y12, Y13, Y14, Y15)
	GROUP4(48, Y3, Y4, Y5, Y6, Y7)
	LEAQ (R10)(R9*4), R10
	SUBQ $4, R11
	JMP  cs16g

cs16r:
	TESTQ R11, R11
	JZ    cs16s
	ROW1(0, Y0, Y4)
	ROW1(16, Y1, Y5)
	ROW1(32, Y2, Y6)
	ROW1(48, Y3, Y7)
	ADDQ  R9, R10
	DECQ  R11
	JMP   cs16r

cs16s:
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
	ADDQ    $128, DI
	ADDQ    $64, SI
	SUBQ    $16, CX
	JMP     cs16

cs4:
	TESTQ   CX, CX
	JZ      csdone
	VMOVUPD (DI), Y0
	MOVQ    SI, R10
	MOVQ    R8, R11

cs4g:
	CMPQ R11, $4
	JLT  cs4r
	LEAQ (R10)(R9*2), R12
	GROUP4(0, Y0, Y4, Y5, Y6, Y7)
	LEAQ (R10)(R9*4), R10
	SUBQ $4, R11
	JMP  cs4g

cs4r:
	TESTQ R11, R11
	JZ    cs4s
	ROW1(0, Y0, Y4)
	ADDQ  R9, R10
	DECQ  R11
	JMP   cs4r

cs4s:
	VMOVUPD Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $16, SI
	SUBQ    $4, CX
	JMP     cs4

csdone:
	VZEROUPPER
	RET
