package gcs_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/groundwork-go/groundwork/storage/gcs"
)

func ExampleNew() {
	ctx := context.Background()
	keyJSON, err := os.ReadFile(os.Getenv("GOOGLE_APPLICATION_CREDENTIALS"))
	if err != nil {
		fmt.Println("no credentials")
		return
	}
	bucket, err := gcs.New(ctx, "my-bucket", gcs.Options{CredentialsJSON: keyJSON})
	if err != nil {
		fmt.Println(err)
		return
	}
	url, err := bucket.SignedURL(ctx, "reports/2026.pdf", 15*time.Minute)
	fmt.Println(url, err)
}

func ExampleNewKeySigner() {
	pemKey, err := os.ReadFile("uploader-key.pem")
	if err != nil {
		fmt.Println("no key file")
		return
	}
	signer, err := gcs.NewKeySigner("uploader@my-project.iam.gserviceaccount.com", pemKey)
	if err != nil {
		fmt.Println(err)
		return
	}
	url, err := gcs.SignV4(context.Background(), "my-bucket", "reports/2026.pdf", time.Hour, signer, gcs.V4Options{Method: "PUT"})
	fmt.Println(url, err)
}

func ExampleKeySignerFromJSON() {
	keyJSON, err := os.ReadFile("service-account.json")
	if err != nil {
		fmt.Println("no key file")
		return
	}
	signer, err := gcs.KeySignerFromJSON(keyJSON)
	if err != nil {
		fmt.Println(err)
		return
	}
	url, err := gcs.SignV4(context.Background(), "my-bucket", "reports/2026.pdf", time.Hour, signer, gcs.V4Options{})
	fmt.Println(url, err)
}

func ExampleNewIAMSigner() {
	ctx := context.Background()
	signer, err := gcs.NewIAMSigner(ctx, "uploader@my-project.iam.gserviceaccount.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	url, err := gcs.SignV4(ctx, "my-bucket", "reports/2026.pdf", time.Hour, signer, gcs.V4Options{})
	fmt.Println(url, err)
}
