package firestore

import (
	"encoding/base64"
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"

	fsapi "google.golang.org/api/firestore/v1"
)

// Reference is the full resource name of a document, such as
// "projects/p/databases/(default)/documents/users/ada". It is stored as a
// referenceValue. Client.Ref builds one.
type Reference string

var (
	timeType  = reflect.TypeFor[time.Time]()
	refType   = reflect.TypeFor[Reference]()
	bytesType = reflect.TypeFor[[]byte]()
)

// encodeFields turns a struct (or map) into document fields.
func encodeFields(v any) (map[string]fsapi.Value, error) {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil, fmt.Errorf("firestore: cannot store a nil %T", v)
		}
		rv = rv.Elem()
	}
	val, err := encodeValue(rv)
	if err != nil {
		return nil, err
	}
	if val.MapValue == nil {
		return nil, fmt.Errorf("firestore: a document must be a struct or map, got %T", v)
	}
	if val.MapValue.Fields == nil {
		return map[string]fsapi.Value{}, nil
	}
	return val.MapValue.Fields, nil
}

// encodeValue converts one Go value into a Firestore Value. Zero scalars are
// listed in ForceSendFields so that they are sent rather than omitted.
func encodeValue(rv reflect.Value) (*fsapi.Value, error) {
	if !rv.IsValid() {
		return &fsapi.Value{NullValue: "NULL_VALUE"}, nil
	}
	switch rv.Type() {
	case timeType:
		t := rv.Interface().(time.Time)
		return &fsapi.Value{TimestampValue: t.UTC().Format(time.RFC3339Nano)}, nil
	case refType:
		return &fsapi.Value{ReferenceValue: rv.String()}, nil
	case bytesType:
		if rv.IsNil() {
			return &fsapi.Value{NullValue: "NULL_VALUE"}, nil
		}
		return &fsapi.Value{BytesValue: base64.StdEncoding.EncodeToString(rv.Bytes()), ForceSendFields: []string{"BytesValue"}}, nil
	}
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return &fsapi.Value{NullValue: "NULL_VALUE"}, nil
		}
		return encodeValue(rv.Elem())
	case reflect.Bool:
		return &fsapi.Value{BooleanValue: rv.Bool(), ForceSendFields: []string{"BooleanValue"}}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return &fsapi.Value{IntegerValue: rv.Int(), ForceSendFields: []string{"IntegerValue"}}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u := rv.Uint()
		if u > math.MaxInt64 {
			return nil, fmt.Errorf("firestore: %d overflows a Firestore integer", u)
		}
		return &fsapi.Value{IntegerValue: int64(u), ForceSendFields: []string{"IntegerValue"}}, nil
	case reflect.Float32, reflect.Float64:
		if f := rv.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			// The generated Value marshals doubles as JSON numbers, which
			// cannot express NaN or infinities.
			return nil, fmt.Errorf("firestore: cannot store non-finite double %v", f)
		}
		return &fsapi.Value{DoubleValue: rv.Float(), ForceSendFields: []string{"DoubleValue"}}, nil
	case reflect.String:
		return &fsapi.Value{StringValue: rv.String(), ForceSendFields: []string{"StringValue"}}, nil
	case reflect.Slice:
		if rv.IsNil() {
			return &fsapi.Value{NullValue: "NULL_VALUE"}, nil
		}
		return encodeArray(rv)
	case reflect.Array:
		return encodeArray(rv)
	case reflect.Map:
		if rv.IsNil() {
			return &fsapi.Value{NullValue: "NULL_VALUE"}, nil
		}
		return encodeMap(rv)
	case reflect.Struct:
		return encodeStruct(rv)
	}
	return nil, fmt.Errorf("firestore: cannot store a %s", rv.Type())
}

func encodeArray(rv reflect.Value) (*fsapi.Value, error) {
	vals := make([]*fsapi.Value, rv.Len())
	for i := range vals {
		v, err := encodeValue(rv.Index(i))
		if err != nil {
			return nil, fmt.Errorf("[%d]: %w", i, err)
		}
		vals[i] = v
	}
	return &fsapi.Value{ArrayValue: &fsapi.ArrayValue{Values: vals}}, nil
}

func encodeMap(rv reflect.Value) (*fsapi.Value, error) {
	if rv.Type().Key().Kind() != reflect.String {
		return nil, fmt.Errorf("firestore: map keys must be strings, got %s", rv.Type().Key())
	}
	fields := make(map[string]fsapi.Value, rv.Len())
	for it := rv.MapRange(); it.Next(); {
		v, err := encodeValue(it.Value())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", it.Key().String(), err)
		}
		fields[it.Key().String()] = *v
	}
	return &fsapi.Value{MapValue: &fsapi.MapValue{Fields: fields}}, nil
}

func encodeStruct(rv reflect.Value) (*fsapi.Value, error) {
	fields := map[string]fsapi.Value{}
	for _, f := range structFields(rv.Type()) {
		fv := rv.Field(f.index)
		if f.omitEmpty && fv.IsZero() {
			continue
		}
		v, err := encodeValue(fv)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.name, err)
		}
		fields[f.name] = *v
	}
	return &fsapi.Value{MapValue: &fsapi.MapValue{Fields: fields}}, nil
}

// field describes one stored struct field.
type field struct {
	name      string
	index     int
	omitEmpty bool
}

// structFields lists the exported fields of t with their Firestore names.
func structFields(t reflect.Type) []field {
	var out []field
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		tag := sf.Tag.Get("firestore")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		out = append(out, field{name: name, index: i, omitEmpty: opts == "omitempty"})
	}
	return out
}
