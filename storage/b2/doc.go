// Package b2 implements storage.Bucket on BackBlaze B2 with
// github.com/Backblaze/blazer.
//
// Uploads are streamed through blazer's Writer: content up to
// Options.ChunkSize goes in one b2_upload_file call, larger content becomes a
// large file uploaded in parts. Downloads are ranged GETs. Blazer retries what
// B2 documents as transient (429 honouring Retry-After, 500 and 503 with
// backoff, expired tokens by re-authorizing) until the context ends; errors
// that end an operation are mapped onto the storage sentinels.
//
//	bucket, err := b2.New(ctx, keyID, applicationKey, "my-bucket", b2.Options{})
//	if err != nil {
//		return err
//	}
//	_, err = bucket.Put(ctx, "avatars/42.png", r, storage.PutOptions{ContentType: "image/png"})
//	url, err := bucket.SignedURL(ctx, "avatars/42.png", 15*time.Minute)
package b2
