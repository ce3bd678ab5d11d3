// Package driver holds the helpers that implementations of storage.Bucket
// share; applications that only use a Bucket never need it. It follows the
// split of Go CDK's blob and blob/driver packages.
//
// A backend wraps Put's reader with CheckSize, turns Get's options into a
// byte interval with ResolveRange, builds its result with NewReader, and
// assembles List pages with a PageBuilder when its service cannot paginate
// the way storage.Bucket.List promises:
//
//	func (b *Bucket) Get(ctx context.Context, key string, opts storage.GetOptions) (*storage.Reader, error) {
//		obj, err := b.lookup(ctx, key)
//		if err != nil {
//			return nil, err
//		}
//		start, end, err := driver.ResolveRange(obj.Size, opts)
//		if err != nil {
//			return nil, err
//		}
//		return driver.NewReader(obj.Attributes, obj.open(start, end)), nil
//	}
package driver
