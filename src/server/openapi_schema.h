/*
 * openapi_schema.h: the per-operation detail of the OpenAPI document
 * (openapi_schema.c): request and response schemas, query and path
 * parameters. openapi.c assembles the document from the route table.
 */
#ifndef KITH_OPENAPI_SCHEMA_H
#define KITH_OPENAPI_SCHEMA_H

#include <jansson.h>

struct oa_schema {
	const char *name;
	const char *fields;	/* see openapi_schema.c */
};

/* Add every request and response schema, and Error, to schemas. */
void oa_components(json_t *schemas);
/* The parameter object of query parameter name (new reference). */
json_t *oa_query_param(const char *name);
/* The schema of path parameter name of pattern (new reference). */
json_t *oa_path_param_schema(const char *pattern, const char *name);
/* The schema of an operation's success body (new reference). */
json_t *oa_success_schema(const char *method, const char *pattern);
/* The request schema name the operation's body must match. */
const char *oa_request_schema(const char *method, const char *pattern,
			      const char *body);

#endif
