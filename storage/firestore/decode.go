package firestore

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"
)

// wireValue is a Firestore Value as it arrives on the wire. Unlike the
// generated type, its pointer fields tell false, 0 and "" apart from absent.
type wireValue struct {
	// null is set when the nullValue key is present; the service sends
	// {"nullValue": null}, which a pointer field cannot tell from absence.
	null           bool
	BooleanValue   *bool           `json:"booleanValue"`
	IntegerValue   *string         `json:"integerValue"`
	DoubleValue    json.RawMessage `json:"doubleValue"`
	TimestampValue *string         `json:"timestampValue"`
	StringValue    *string         `json:"stringValue"`
	BytesValue     *string         `json:"bytesValue"`
	ReferenceValue *string         `json:"referenceValue"`
	GeoPointValue  *struct {
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
	} `json:"geoPointValue"`
	ArrayValue *struct {
		Values []wireValue `json:"values"`
	} `json:"arrayValue"`
	MapValue *struct {
		Fields map[string]wireValue `json:"fields"`
	} `json:"mapValue"`
}

// UnmarshalJSON decodes a value, noting whether nullValue is present.
func (w *wireValue) UnmarshalJSON(b []byte) error {
	type plain wireValue
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		return err
	}
	*w = wireValue(p)
	_, w.null = keys["nullValue"]
	return nil
}

// wireDocument is a Document as it arrives on the wire.
type wireDocument struct {
	Name       string               `json:"name"`
	Fields     map[string]wireValue `json:"fields"`
	CreateTime string               `json:"createTime"`
	UpdateTime string               `json:"updateTime"`
}

// natural returns the value as the Go type that an any holds after decoding.
func (w *wireValue) natural() (any, error) {
	switch {
	case w.null:
		return nil, nil
	case w.BooleanValue != nil:
		return *w.BooleanValue, nil
	case w.IntegerValue != nil:
		return strconv.ParseInt(*w.IntegerValue, 10, 64)
	case w.DoubleValue != nil:
		return w.double()
	case w.TimestampValue != nil:
		return time.Parse(time.RFC3339Nano, *w.TimestampValue)
	case w.StringValue != nil:
		return *w.StringValue, nil
	case w.BytesValue != nil:
		return base64.StdEncoding.DecodeString(*w.BytesValue)
	case w.ReferenceValue != nil:
		return Reference(*w.ReferenceValue), nil
	case w.GeoPointValue != nil:
		return map[string]any{"latitude": w.GeoPointValue.Latitude, "longitude": w.GeoPointValue.Longitude}, nil
	case w.ArrayValue != nil:
		out := make([]any, len(w.ArrayValue.Values))
		for i := range w.ArrayValue.Values {
			v, err := w.ArrayValue.Values[i].natural()
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case w.MapValue != nil:
		out := make(map[string]any, len(w.MapValue.Fields))
		for k, fv := range w.MapValue.Fields {
			v, err := fv.natural()
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	}
	return nil, fmt.Errorf("firestore: value with no known type")
}

// double decodes doubleValue, which is a JSON number or one of the strings
// "NaN", "Infinity" and "-Infinity".
func (w *wireValue) double() (float64, error) {
	var f float64
	if err := json.Unmarshal(w.DoubleValue, &f); err == nil {
		return f, nil
	}
	var s string
	if err := json.Unmarshal(w.DoubleValue, &s); err != nil {
		return 0, fmt.Errorf("firestore: bad doubleValue %s", w.DoubleValue)
	}
	switch s {
	case "NaN":
		return math.NaN(), nil
	case "Infinity":
		return math.Inf(1), nil
	case "-Infinity":
		return math.Inf(-1), nil
	}
	return 0, fmt.Errorf("firestore: bad doubleValue %q", s)
}

// decodeFields fills the struct or map that dst points to from fields.
func decodeFields(fields map[string]wireValue, dst any) error {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("firestore: decode into non-pointer %T", dst)
	}
	m := wireValue{MapValue: &struct {
		Fields map[string]wireValue `json:"fields"`
	}{Fields: fields}}
	return decodeValue(&m, rv.Elem())
}

// decodeValue stores w into dst, converting between compatible types.
func decodeValue(w *wireValue, dst reflect.Value) error {
	if w.null {
		dst.SetZero()
		return nil
	}
	switch dst.Type() {
	case timeType:
		if w.TimestampValue == nil {
			return typeErr(w, dst)
		}
		t, err := time.Parse(time.RFC3339Nano, *w.TimestampValue)
		if err != nil {
			return err
		}
		dst.Set(reflect.ValueOf(t))
		return nil
	case refType:
		if w.ReferenceValue == nil {
			return typeErr(w, dst)
		}
		dst.SetString(*w.ReferenceValue)
		return nil
	case bytesType:
		if w.BytesValue == nil {
			return typeErr(w, dst)
		}
		b, err := base64.StdEncoding.DecodeString(*w.BytesValue)
		if err != nil {
			return err
		}
		dst.SetBytes(b)
		return nil
	}
	switch dst.Kind() {
	case reflect.Pointer:
		p := reflect.New(dst.Type().Elem())
		if err := decodeValue(w, p.Elem()); err != nil {
			return err
		}
		dst.Set(p)
		return nil
	case reflect.Interface:
		v, err := w.natural()
		if err != nil {
			return err
		}
		if v == nil {
			dst.SetZero()
			return nil
		}
		if !reflect.TypeOf(v).AssignableTo(dst.Type()) {
			return typeErr(w, dst)
		}
		dst.Set(reflect.ValueOf(v))
		return nil
	case reflect.Bool:
		if w.BooleanValue == nil {
			return typeErr(w, dst)
		}
		dst.SetBool(*w.BooleanValue)
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return decodeInteger(w, dst)
	case reflect.Float32, reflect.Float64:
		return decodeFloat(w, dst)
	case reflect.String:
		if w.StringValue == nil {
			return typeErr(w, dst)
		}
		dst.SetString(*w.StringValue)
		return nil
	case reflect.Slice, reflect.Array:
		return decodeArray(w, dst)
	case reflect.Map:
		return decodeMap(w, dst)
	case reflect.Struct:
		return decodeStruct(w, dst)
	}
	return typeErr(w, dst)
}

func decodeInteger(w *wireValue, dst reflect.Value) error {
	if w.IntegerValue == nil {
		return typeErr(w, dst)
	}
	if dst.CanInt() {
		n, err := strconv.ParseInt(*w.IntegerValue, 10, 64)
		if err != nil || dst.OverflowInt(n) {
			return fmt.Errorf("firestore: integer %s does not fit %s", *w.IntegerValue, dst.Type())
		}
		dst.SetInt(n)
		return nil
	}
	n, err := strconv.ParseUint(*w.IntegerValue, 10, 64)
	if err != nil || dst.OverflowUint(n) {
		return fmt.Errorf("firestore: integer %s does not fit %s", *w.IntegerValue, dst.Type())
	}
	dst.SetUint(n)
	return nil
}

func decodeFloat(w *wireValue, dst reflect.Value) error {
	switch {
	case w.DoubleValue != nil:
		f, err := w.double()
		if err != nil {
			return err
		}
		dst.SetFloat(f)
		return nil
	case w.IntegerValue != nil:
		n, err := strconv.ParseInt(*w.IntegerValue, 10, 64)
		if err != nil {
			return err
		}
		dst.SetFloat(float64(n))
		return nil
	}
	return typeErr(w, dst)
}

func decodeArray(w *wireValue, dst reflect.Value) error {
	if w.ArrayValue == nil {
		return typeErr(w, dst)
	}
	vals := w.ArrayValue.Values
	if dst.Kind() == reflect.Slice {
		dst.Set(reflect.MakeSlice(dst.Type(), len(vals), len(vals)))
	} else if len(vals) > dst.Len() {
		return fmt.Errorf("firestore: %d values do not fit %s", len(vals), dst.Type())
	}
	for i := range vals {
		if err := decodeValue(&vals[i], dst.Index(i)); err != nil {
			return fmt.Errorf("[%d]: %w", i, err)
		}
	}
	return nil
}

func decodeMap(w *wireValue, dst reflect.Value) error {
	if w.MapValue == nil || dst.Type().Key().Kind() != reflect.String {
		return typeErr(w, dst)
	}
	m := reflect.MakeMapWithSize(dst.Type(), len(w.MapValue.Fields))
	for k, fv := range w.MapValue.Fields {
		ev := reflect.New(dst.Type().Elem()).Elem()
		if err := decodeValue(&fv, ev); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		m.SetMapIndex(reflect.ValueOf(k).Convert(dst.Type().Key()), ev)
	}
	dst.Set(m)
	return nil
}

func decodeStruct(w *wireValue, dst reflect.Value) error {
	if w.MapValue == nil {
		return typeErr(w, dst)
	}
	for _, f := range structFields(dst.Type()) {
		fv, ok := w.MapValue.Fields[f.name]
		if !ok {
			continue
		}
		if err := decodeValue(&fv, dst.Field(f.index)); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
	}
	return nil
}

func typeErr(w *wireValue, dst reflect.Value) error {
	raw, _ := json.Marshal(w)
	return fmt.Errorf("firestore: cannot decode %s into %s", raw, dst.Type())
}
