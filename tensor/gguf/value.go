package gguf

import (
	"encoding/binary"
	"fmt"
	"math"
)

// valueType is a GGUF metadata value type.
type valueType uint32

const (
	typeUint8 valueType = iota
	typeInt8
	typeUint16
	typeInt16
	typeUint32
	typeInt32
	typeFloat32
	typeBool
	typeString
	typeArray
	typeUint64
	typeInt64
	typeFloat64
)

// scalarType returns the GGUF type of a scalar Go value.
func scalarType(v any) (valueType, bool) {
	switch v.(type) {
	case uint8:
		return typeUint8, true
	case int8:
		return typeInt8, true
	case uint16:
		return typeUint16, true
	case int16:
		return typeInt16, true
	case uint32:
		return typeUint32, true
	case int32:
		return typeInt32, true
	case float32:
		return typeFloat32, true
	case bool:
		return typeBool, true
	case string:
		return typeString, true
	case uint64:
		return typeUint64, true
	case int64:
		return typeInt64, true
	case float64:
		return typeFloat64, true
	}
	return 0, false
}

// appendString appends a GGUF string.
func appendString(b []byte, s string) []byte {
	b = binary.LittleEndian.AppendUint64(b, uint64(len(s)))
	return append(b, s...)
}

// appendScalar appends the bytes of a scalar value (without its type).
func appendScalar(b []byte, v any) []byte {
	le := binary.LittleEndian
	switch v := v.(type) {
	case uint8:
		return append(b, v)
	case int8:
		return append(b, byte(v))
	case uint16:
		return le.AppendUint16(b, v)
	case int16:
		return le.AppendUint16(b, uint16(v))
	case uint32:
		return le.AppendUint32(b, v)
	case int32:
		return le.AppendUint32(b, uint32(v))
	case float32:
		return le.AppendUint32(b, math.Float32bits(v))
	case bool:
		if v {
			return append(b, 1)
		}
		return append(b, 0)
	case string:
		return appendString(b, v)
	case uint64:
		return le.AppendUint64(b, v)
	case int64:
		return le.AppendUint64(b, uint64(v))
	case float64:
		return le.AppendUint64(b, math.Float64bits(v))
	}
	panic(fmt.Sprintf("gguf: appendScalar: %T", v)) // callers check the type first
}

// appendArray appends an array of elements of type t.
func appendArray[E any](b []byte, t valueType, s []E) []byte {
	b = binary.LittleEndian.AppendUint32(b, uint32(typeArray))
	b = binary.LittleEndian.AppendUint32(b, uint32(t))
	b = binary.LittleEndian.AppendUint64(b, uint64(len(s)))
	for _, e := range s {
		b = appendScalar(b, any(e))
	}
	return b
}

// appendValue appends a value with its type, or returns an error for a Go
// type that has no GGUF type.
func appendValue(b []byte, v any) ([]byte, error) {
	if t, ok := scalarType(v); ok {
		b = binary.LittleEndian.AppendUint32(b, uint32(t))
		return appendScalar(b, v), nil
	}
	switch v := v.(type) {
	case []uint8:
		return appendArray(b, typeUint8, v), nil
	case []int8:
		return appendArray(b, typeInt8, v), nil
	case []uint16:
		return appendArray(b, typeUint16, v), nil
	case []int16:
		return appendArray(b, typeInt16, v), nil
	case []uint32:
		return appendArray(b, typeUint32, v), nil
	case []int32:
		return appendArray(b, typeInt32, v), nil
	case []float32:
		return appendArray(b, typeFloat32, v), nil
	case []bool:
		return appendArray(b, typeBool, v), nil
	case []string:
		return appendArray(b, typeString, v), nil
	case []uint64:
		return appendArray(b, typeUint64, v), nil
	case []int64:
		return appendArray(b, typeInt64, v), nil
	case []float64:
		return appendArray(b, typeFloat64, v), nil
	}
	return b, fmt.Errorf("value of type %T has no GGUF type", v)
}
