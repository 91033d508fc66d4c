// Package httpversion versions an HTTP API with transmute's migrations:
// each client is pinned to an API version, which fixes a version of each
// model; a request body at the client's version is migrated up to the
// newest before the handler runs, and the response the handler writes in
// the newest shape is migrated down to the client's. The handler is
// written once, for the newest version.
//
// An API version ([Version]) is a name, such as a date, and the model
// versions it serves; [New] checks that every version can be migrated to
// the newest and back. [API.Wrap] wraps a handler for a [Route] (the
// models of its request and response bodies), under a pattern of a
// net/http ServeMux:
//
//	mux.Handle("POST /users", api.Wrap(httpversion.Route{Request: "User", Response: "User"}, create))
//
// The client's version comes from the API-Version header ([WithHeader]),
// else a [WithResolver] function (a version pinned per account), else
// [WithDefault]; the response says the version it was rendered at in the
// same header. Errors are RFC 9457 problem details. Every migration runs
// under the request's context, so with otelhttp its spans sit between the
// server span and the handler's. A counter, transmute.api.requests, says
// which versions are still used. [API.Changelog] writes what changed in
// each version. docs/http.md says more.
package httpversion
