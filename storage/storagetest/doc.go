// Package storagetest is the conformance suite for storage.Bucket
// implementations. Every backend's tests call RunBucketTests with a function
// that returns a fresh, empty bucket:
//
//	func TestConformance(t *testing.T) {
//		storagetest.RunBucketTests(t, func(t *testing.T) storage.Bucket {
//			return memory.New(memory.Options{BaseURL: srv.URL})
//		})
//	}
//
// The suite checks the contract documented on storage.Bucket: streaming puts of
// known and unknown size, attributes and metadata, byte ranges, listing with
// prefixes, delimiters and pages, the sentinel errors, that a read across an
// overwrite returns the old version whole or fails (never a mix of the two),
// and that SignedURL returns a URL a plain HTTP GET can download.
package storagetest
