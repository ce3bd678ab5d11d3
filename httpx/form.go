package httpx

import (
	"errors"
	"mime/multipart"
	"net/http"
	"reflect"
	"strconv"
	"strings"
)

var fileHeaderType = reflect.TypeFor[*multipart.FileHeader]()

// decodeForm fills dst's `form`-tagged fields from an URL-encoded or
// multipart body. Supported field kinds: strings, booleans, integers,
// floats, pointers to those, slices of those, and *multipart.FileHeader
// (or a slice of them) for uploaded files.
func decodeForm(r *http.Request, dst any, mediaType string) error {
	var err error
	if mediaType == "multipart/form-data" {
		err = r.ParseMultipartForm(maxMultipartMemory)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return payloadTooLarge(tooLarge.Limit)
		}
		return BadRequest("Malformed form body").WithCause(err)
	}
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return Internal(errors.New("httpx: Decode needs a pointer to a struct"))
	}
	var files map[string][]*multipart.FileHeader
	if r.MultipartForm != nil {
		files = r.MultipartForm.File
	}
	verr := new(ValidationError)
	setFormFields(v.Elem(), r.PostForm, files, verr)
	if len(verr.Detail) > 0 {
		return verr
	}
	return nil
}

func setFormFields(v reflect.Value, values map[string][]string, files map[string][]*multipart.FileHeader, verr *ValidationError) {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name := wireName(sf, "form")
		if name == "-" {
			continue
		}
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct {
			setFormFields(v.Field(i), values, files, verr)
			continue
		}
		field := v.Field(i)
		if sf.Type == fileHeaderType || (sf.Type.Kind() == reflect.Slice && sf.Type.Elem() == fileHeaderType) {
			setFileField(field, files[name])
			continue
		}
		raw, ok := values[name]
		if !ok || len(raw) == 0 {
			continue
		}
		if err := setFromStrings(field, raw); err != nil {
			verr.Add([]string{name}, "value is not a valid "+kindName(field.Type()), "type_error."+kindName(field.Type()))
		}
	}
}

func setFileField(field reflect.Value, fhs []*multipart.FileHeader) {
	if len(fhs) == 0 {
		return
	}
	if field.Kind() == reflect.Slice {
		field.Set(reflect.ValueOf(fhs))
		return
	}
	field.Set(reflect.ValueOf(fhs[0]))
}

func setFromStrings(field reflect.Value, raw []string) error {
	switch field.Kind() {
	case reflect.Slice:
		s := reflect.MakeSlice(field.Type(), len(raw), len(raw))
		for i, item := range raw {
			if err := setScalar(s.Index(i), item); err != nil {
				return err
			}
		}
		field.Set(s)
		return nil
	case reflect.Pointer:
		p := reflect.New(field.Type().Elem())
		if err := setScalar(p.Elem(), raw[0]); err != nil {
			return err
		}
		field.Set(p)
		return nil
	default:
		return setScalar(field, raw[0])
	}
}

func setScalar(v reflect.Value, s string) error {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return err
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, v.Type().Bits())
		if err != nil {
			return err
		}
		v.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(strings.TrimSpace(s), 10, v.Type().Bits())
		if err != nil {
			return err
		}
		v.SetUint(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), v.Type().Bits())
		if err != nil {
			return err
		}
		v.SetFloat(f)
	default:
		return errors.New("unsupported form field kind " + v.Kind().String())
	}
	return nil
}

func kindName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool:
		return "bool"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "float"
	default:
		return "str"
	}
}

// wireName is the field's name on the wire under tag ("json" or "form"):
// the tag's name part, or the Go field name when the tag is absent.
func wireName(sf reflect.StructField, tag string) string {
	name, _, _ := strings.Cut(sf.Tag.Get(tag), ",")
	if name == "" {
		return sf.Name
	}
	return name
}
