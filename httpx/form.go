package httpx

import (
	"cmp"
	"errors"
	"mime/multipart"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/go-playground/form/v4"
)

var (
	fileHeaderType  = reflect.TypeFor[*multipart.FileHeader]()
	fileHeadersType = reflect.TypeFor[[]*multipart.FileHeader]()
)

// formDecoder fills `form`-tagged fields (safe for concurrent use; it
// caches each struct type's fields). File fields are left to setFiles: a
// text value sent under a file field's name is ignored.
var formDecoder = func() *form.Decoder {
	d := form.NewDecoder()
	d.RegisterCustomTypeFunc(func([]string) (any, error) { return (*multipart.FileHeader)(nil), nil }, (*multipart.FileHeader)(nil))
	d.RegisterCustomTypeFunc(func([]string) (any, error) { return []*multipart.FileHeader(nil), nil }, []*multipart.FileHeader(nil))
	return d
}()

// decodeForm fills dst's `form`-tagged fields from an URL-encoded or
// multipart body with github.com/go-playground/form, and its
// *multipart.FileHeader fields (or slices of them) from the uploaded files.
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
	if err := formDecoder.Decode(dst, r.PostForm); err != nil {
		var errs form.DecodeErrors
		if !errors.As(err, &errs) {
			return Internal(err)
		}
		return formErrors(v.Elem().Type(), errs)
	}
	if r.MultipartForm != nil {
		setFiles(v.Elem(), r.MultipartForm.File)
	}
	return nil
}

// formErrors turns the decoder's errors, keyed by field name, into a
// ValidationError listing them in the struct's field order.
func formErrors(t reflect.Type, errs form.DecodeErrors) *ValidationError {
	type fieldErr struct {
		name  string
		order int
		typ   reflect.Type
	}
	list := make([]fieldErr, 0, len(errs))
	for name := range errs {
		fe := fieldErr{name: name, order: -1}
		top, _, _ := strings.Cut(name, "[")
		top, _, _ = strings.Cut(top, ".")
		formFields(t, func(sf reflect.StructField, _ []int, order int) {
			if wireName(sf, "form") == top && fe.order < 0 {
				fe.order, fe.typ = order, sf.Type
			}
		})
		list = append(list, fe)
	}
	slices.SortFunc(list, func(a, b fieldErr) int {
		return cmp.Or(cmp.Compare(a.order, b.order), strings.Compare(a.name, b.name))
	})
	verr := new(ValidationError)
	for _, fe := range list {
		kind := "str"
		if fe.typ != nil {
			kind = kindName(fe.typ)
		}
		verr.Add([]string{fe.name}, "value is not a valid "+kind, "type_error."+kind)
	}
	return verr
}

// setFiles sets the file fields of v, a struct, from files.
func setFiles(v reflect.Value, files map[string][]*multipart.FileHeader) {
	formFields(v.Type(), func(sf reflect.StructField, index []int, _ int) {
		fhs := files[wireName(sf, "form")]
		if len(fhs) == 0 {
			return
		}
		switch sf.Type {
		case fileHeaderType:
			v.FieldByIndex(index).Set(reflect.ValueOf(fhs[0]))
		case fileHeadersType:
			v.FieldByIndex(index).Set(reflect.ValueOf(fhs))
		}
	})
}

// formFields calls visit with each exported, not "-"-tagged field of the
// struct type t, in order, descending into embedded structs as the form
// decoder does; index is the field's index path from t, order its rank.
func formFields(t reflect.Type, visit func(sf reflect.StructField, index []int, order int)) {
	order := 0
	var walk func(t reflect.Type, prefix []int)
	walk = func(t reflect.Type, prefix []int) {
		for i := range t.NumField() {
			sf := t.Field(i)
			index := append(slices.Clip(prefix), i)
			if sf.Anonymous && sf.Type.Kind() == reflect.Struct {
				walk(sf.Type, index)
				continue
			}
			if !sf.IsExported() || wireName(sf, "form") == "-" {
				continue
			}
			visit(sf, index, order)
			order++
		}
	}
	walk(t, nil)
}

// kindName is the name of t's kind in validation messages and types.
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
