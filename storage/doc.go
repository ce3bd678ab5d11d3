// Package storage defines Bucket, the blob-storage interface applications use to
// keep files, with its options, attributes and sentinel errors.
//
// Implementations live in their own packages so that importing storage never
// pulls in a cloud SDK: storage/memory (in process memory), storage/b2
// (BackBlaze B2) and storage/gcs (Google Cloud Storage). Every backend passes
// the conformance suite in storage/storagetest and maps the service's failures
// onto the sentinel errors of this package (ErrNotExist, ErrInvalidRange,
// ErrPermission, ...), so application code can be written once. Helpers that
// only backend writers need are in storage/driver.
//
//	bucket := memory.New(memory.Options{})
//	_, err := bucket.Put(ctx, "avatars/42.png", r, storage.PutOptions{ContentType: "image/png"})
//	if err != nil {
//		return err
//	}
//	rd, err := bucket.Get(ctx, "avatars/42.png", storage.GetOptions{})
//	if errors.Is(err, storage.ErrNotExist) {
//		// 404
//	}
//	defer rd.Close()
//	io.Copy(w, rd)
package storage
