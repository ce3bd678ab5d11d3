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
// Queries cover one collection or subcollection (Collection.Query) or every
// collection with a given ID at any depth (CollectionGroup), and support
// field filters with every Operator (combined with AND), OrderBy, Limit,
// Offset and the StartAt/StartAfter/EndAt/EndBefore cursors, inside a
// transaction or not. Query.Run returns every result; Query.Documents
// iterates over them as the service streams them, for results too large to
// hold in memory. Not supported: OR filters, aggregations (count, sum,
// average), projections (select), vector search, and server-side field
// transforms such as server timestamps or increments; writes send the Go
// values as they are.
//
// Document IDs may hold any character Firestore allows ("?", "#", "%", ":",
// spaces, any Unicode); every request escapes them, so an ID always names
// that document and no other.
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
