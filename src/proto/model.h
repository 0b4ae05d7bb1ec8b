// SPDX-License-Identifier: Apache-2.0
// The official AWS service models as compact C tables. tools/gen_models.py generates
// model_data.c from the service-2.json files of Debian's python3-botocore; this header describes
// the layout and model.c the lookups. Everything here is immutable and shared by all threads.
//
// Strings live in one pool (model_strings) and are addressed by byte offset; offset 0 is "".
// Services, operations, shapes and members are flat arrays addressed by index; a structure's
// members, a list's member and a map's key and value are contiguous rows of model_members, each
// a reference to a shape with the member-level traits merged in the way botocore merges them
// (a member's locationName, queryName, flattened, xmlNamespace and timestampFormat override the
// target shape's own).
#ifndef SAGEBOX_MODEL_H
#define SAGEBOX_MODEL_H

#include <stddef.h>
#include <stdint.h>

enum model_protocol {
    MODEL_QUERY,     // IAM, STS, CloudFormation: form-encoded requests, XML responses
    MODEL_EC2,       // EC2: the Query protocol with EC2's naming and list rules
    MODEL_JSON,      // JSON 1.0/1.1 with X-Amz-Target
    MODEL_REST_JSON, // not served yet
    MODEL_REST_XML,  // not served yet (S3)
};

enum model_type {
    MODEL_STRUCTURE,
    MODEL_LIST,
    MODEL_MAP,
    MODEL_STRING,
    MODEL_INTEGER,
    MODEL_LONG,
    MODEL_FLOAT,
    MODEL_DOUBLE,
    MODEL_BOOLEAN,
    MODEL_TIMESTAMP,
    MODEL_BLOB,
};

// A timestampFormat trait; MODEL_TS_DEFAULT means the protocol's default.
enum model_ts_format {
    MODEL_TS_DEFAULT,
    MODEL_TS_ISO8601,
    MODEL_TS_UNIX,
    MODEL_TS_RFC822,
};

enum model_method {
    MODEL_GET,
    MODEL_POST,
    MODEL_PUT,
    MODEL_DELETE,
    MODEL_HEAD,
    MODEL_PATCH,
};

// model_shape.flags
#define MODEL_SHAPE_HAS_MIN   0x01u // min is set (length, size or value, by type)
#define MODEL_SHAPE_HAS_MAX   0x02u // max is set
#define MODEL_SHAPE_SENSITIVE 0x04u // values are never echoed in messages
#define MODEL_SHAPE_EXCEPTION 0x08u // an error shape
#define MODEL_SHAPE_FAULT     0x10u // an error shape that is the service's fault
#define MODEL_SHAPE_DOCUMENT  0x20u
#define MODEL_SHAPE_UNION     0x40u

// model_member.flags
#define MODEL_MEMBER_REQUIRED      0x01u
#define MODEL_MEMBER_FLATTENED     0x02u
#define MODEL_MEMBER_XML_ATTRIBUTE 0x04u
#define MODEL_MEMBER_IDEMPOTENCY   0x08u
#define MODEL_MEMBER_SENSITIVE     0x10u
#define MODEL_MEMBER_JSONVALUE     0x20u

// A service; proto.h shows it to callers as an opaque handle.
struct proto_service {
    uint32_t name;            // botocore's directory name: "iam", "sagemaker"
    uint32_t signing_name;    // SigV4 service name: "iam", "sagemaker"
    uint32_t endpoint_prefix; // "iam", "api.sagemaker"
    uint32_t api_version;     // "2010-05-08"
    uint32_t target_prefix;   // JSON: "TrentService"; "" otherwise
    uint32_t xml_namespace;   // Query/EC2: the response namespace; "" otherwise
    uint32_t json_version;    // JSON: "1.1"; "" otherwise
    uint8_t protocol;         // enum model_protocol
    uint32_t op_first;        // its operations, sorted by name
    uint32_t op_count;
    uint32_t shape_first; // its shapes, sorted by name
    uint32_t shape_count;
};

// An operation; proto.h shows it to callers as an opaque handle.
struct proto_op {
    uint32_t name;           // "CreateUser"
    uint8_t method;          // enum model_method
    uint32_t path;           // requestUri
    int32_t input;           // shape index, or -1
    int32_t output;          // shape index, or -1
    uint32_t result_wrapper; // Query: "CreateUserResult"; "" otherwise
    uint32_t err_first;      // model_op_errors[err_first .. +err_count): error shapes
    uint16_t err_count;
};

struct model_shape {
    uint32_t name;
    uint8_t type;          // enum model_type
    uint8_t flags;         // MODEL_SHAPE_*
    uint8_t ts_format;     // enum model_ts_format
    uint16_t error_status; // exceptions: the "error" trait's httpStatusCode, or 0
    uint32_t error_code;   // exceptions: the "error" trait's code, or "" (then the name)
    uint32_t first;        // structure/list/map: first member row; enum strings: first value
    uint32_t count;        // members (list 1, map 2), or enum values
    int32_t pattern;       // index into model_patterns, or -1
    double min;            // length (string, blob, list, map) or value (numbers)
    double max;
};

struct model_member {
    uint32_t name;          // structure member name; "" for list members, map keys and values
    uint32_t wire_name;     // locationName, or ""
    uint32_t query_name;    // EC2 queryName, or ""
    uint32_t xml_namespace; // xmlNamespace uri, or ""
    uint32_t shape;         // index into model_shapes
    uint8_t flags;          // MODEL_MEMBER_*
    uint8_t ts_format;      // enum model_ts_format
};

// A run of Unicode code points of one major general category ('L', 'M', 'N', 'P', 'S', 'Z',
// 'C'), from start up to the next entry's start.
struct model_ucat {
    uint32_t start;
    char cat;
};

extern const char model_strings[];
extern const unsigned model_strings_size;
extern const struct proto_service model_services[];
extern const unsigned model_service_count;
extern const struct proto_op model_ops[];
extern const unsigned model_op_count;
extern const uint32_t model_op_errors[];
extern const struct model_shape model_shapes[];
extern const unsigned model_shape_count;
extern const struct model_member model_members[];
extern const unsigned model_member_count;
extern const uint32_t model_enum_values[];
extern const uint32_t model_patterns[];
extern const unsigned model_pattern_count;
extern const struct model_ucat model_ucats[];
extern const unsigned model_ucat_count;

// Returns the pooled string at offset off.
const char *model_str(uint32_t off);

// Returns the shape of member m.
const struct model_shape *model_member_shape(const struct model_member *m);

// Returns the name of shape s.
const char *model_shape_name(const struct model_shape *s);

// Returns the major general category of code point cp ('L', 'M', 'N', 'P', 'S', 'Z' or 'C';
// 'C' also for values beyond U+10FFFF).
char model_ucat_of(uint32_t cp);

// Returns the operation of svc named name[0..len) (case-sensitive), or NULL.
const struct proto_op *model_op_find(const struct proto_service *svc, const char *name, size_t len);

// Returns the service that owns op.
const struct proto_service *model_op_service(const struct proto_op *op);

#endif
