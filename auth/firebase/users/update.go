package users

import (
	identitytoolkit "google.golang.org/api/identitytoolkit/v1"
)

// updateRequest translates u into an accounts:update request. Empty strings
// for display name and photo URL become deleteAttribute entries and an empty
// phone number a deleteProvider entry, as the API expects; booleans are sent
// even when false.
func updateRequest(uid string, u UserToUpdate) (*identitytoolkit.GoogleCloudIdentitytoolkitV1SetAccountInfoRequest, error) {
	req := &identitytoolkit.GoogleCloudIdentitytoolkitV1SetAccountInfoRequest{LocalId: uid}
	if u.Email != nil {
		req.Email = *u.Email
	}
	if u.Password != nil {
		req.Password = *u.Password
	}
	if u.EmailVerified != nil {
		req.EmailVerified = *u.EmailVerified
		req.ForceSendFields = append(req.ForceSendFields, "EmailVerified")
	}
	if u.Disabled != nil {
		req.DisableUser = *u.Disabled
		req.ForceSendFields = append(req.ForceSendFields, "DisableUser")
	}
	setOrDelete(u.DisplayName, &req.DisplayName, &req.DeleteAttribute, "DISPLAY_NAME")
	setOrDelete(u.PhotoURL, &req.PhotoUrl, &req.DeleteAttribute, "PHOTO_URL")
	setOrDelete(u.PhoneNumber, &req.PhoneNumber, &req.DeleteProvider, "phone")
	if u.CustomClaims != nil {
		claims, err := encodeClaims(u.CustomClaims)
		if err != nil {
			return nil, err
		}
		req.CustomAttributes = claims
	}
	return req, nil
}

// setOrDelete copies a non-empty *v into field, or appends name to deletes
// when *v is empty; nil v changes nothing.
func setOrDelete(v *string, field *string, deletes *[]string, name string) {
	switch {
	case v == nil:
	case *v == "":
		*deletes = append(*deletes, name)
	default:
		*field = *v
	}
}
