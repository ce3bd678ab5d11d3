// Package gcs implements storage.Bucket on Google Cloud Storage through the JSON
// API client google.golang.org/api/storage/v1.
//
// Credentials come from Options.CredentialsJSON (a service-account key file) or,
// when that is empty, from application default credentials. Large uploads are
// sent as resumable uploads in Options.ChunkSize pieces; reads and listings are
// retried on 429 and 5xx answers, writes are not.
//
// The storage/v1 client cannot sign URLs, so this package implements V4 signing
// (GOOG4-RSA-SHA256) itself: with the service account's private key when one is
// available (KeySigner) or, for Options.SigningEmail, through the IAM
// Credentials signBlob API (IAMSigner).
//
//	bucket, err := gcs.New(ctx, "my-bucket", gcs.Options{CredentialsJSON: keyJSON})
//	if err != nil {
//		return err
//	}
//	_, err = bucket.Put(ctx, "avatars/42.png", r, storage.PutOptions{ContentType: "image/png"})
//	url, err := bucket.SignedURL(ctx, "avatars/42.png", 15*time.Minute)
package gcs
