// Package b2 implements storage.Bucket on BackBlaze B2 with
// github.com/Backblaze/blazer.
//
// Uploads are streamed through blazer's Writer: content up to
// Options.ChunkSize goes in one b2_upload_file call, larger content becomes a
// large file uploaded in parts. Downloads are ranged GETs: the first by name,
// which also yields the object's attributes and file ID, the rest by that
// file ID, so a read never mixes two versions of an object. Stat is one HEAD.
// One account authorization is shared by everything a Bucket does and
// renewed when B2 reports it expired.
//
// What B2 documents as transient (429 honouring Retry-After, 5xx, failed
// connections) is retried with backoff, but every operation is bounded:
// after Options.MaxAttempts failures in a row, or once it has been failing
// for Options.MaxRetryTime, it fails with storage.ErrUnavailable even when
// its context has no deadline. A request that makes no progress for
// Options.IdleTimeout (a service that accepts the connection and never
// answers) counts as a failed attempt. Other errors are mapped onto the
// storage sentinels.
//
//	bucket, err := b2.New(ctx, keyID, applicationKey, "my-bucket", b2.Options{})
//	if err != nil {
//		return err
//	}
//	_, err = bucket.Put(ctx, "avatars/42.png", r, storage.PutOptions{ContentType: "image/png"})
//	url, err := bucket.SignedURL(ctx, "avatars/42.png", 15*time.Minute)
package b2
