// Package firestore is a typed document layer over the Firestore REST API
// (google.golang.org/api/firestore/v1).
//
// A Collection[T] maps Go structs to Firestore documents, field by field,
// using `firestore:"name,omitempty"` struct tags (the field name when there is
// no tag, "-" to skip). Supported field types are strings, booleans, signed and
// unsigned integers (sent as JSON strings, as Firestore's integerValue
// requires), floats, time.Time (timestampValue), []byte (bytesValue),
// Reference (referenceValue), slices and arrays (arrayValue), maps with string
// keys and nested structs (mapValue), pointers (nil is nullValue) and any.
//
// The generated client cannot decode the streamed JSON-array answers of
// runQuery and batchGet (googleapis/google-api-go-client#282); this package
// posts those requests itself with the same authenticated HTTP client and
// decodes the array.
//
//	type User struct {
//		Name    string    `firestore:"name"`
//		Age     int       `firestore:"age"`
//		Created time.Time `firestore:"created"`
//	}
//
//	client, err := firestore.New(ctx, "my-project", firestore.Options{})
//	users := firestore.NewCollection[User](client, "users")
//	_, err = users.Create(ctx, "ada", User{Name: "Ada", Age: 36})
//	adults, err := users.Query().Where("age", firestore.GreaterOrEqual, 18).OrderBy("age", firestore.Asc).Limit(10).Run(ctx)
package firestore
