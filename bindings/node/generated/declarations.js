// Generated from include/dinero.h by scripts/node_declarations.py; do not edit.

/** The handle types of dinero.h (opaque structs). */
export const HANDLES = Object.freeze(['dinero_client', 'dinero_options', 'dinero_pages', 'dinero_request_builder', 'dinero_response']);

/** Each callback typedef of dinero.h, as a koffi prototype (koffi.proto). */
export const CALLBACKS = Object.freeze({
  dinero_refresh_token_callback: 'void dinero_refresh_token_callback(void *user_data, const char *refresh_token)',
  dinero_log_callback: 'void dinero_log_callback(void *user_data, uint32_t level, const char *message)',
});

/** Every function of dinero.h, in the header's order, as koffi prototypes. */
export const DECLARATIONS = Object.freeze([
  'dinero_status dinero_authenticate(const char *client_id, const char *client_secret, const char *api_key, const dinero_options *options, _Out_ dinero_client **client_out)',
  'dinero_status dinero_request(dinero_client *client, const char *method, const char *path, const char *json_body, _Out_ dinero_response **response_out)',
  'dinero_status dinero_client_send(dinero_client *client, const dinero_request_builder *request, _Out_ dinero_response **response_out)',
  'dinero_status dinero_client_call(dinero_client *client, const char *method, const char *path, const char *spec, const uint8_t *data, size_t data_len, _Out_ dinero_response **response_out)',
  'dinero_status dinero_client_upload_file(dinero_client *client, const char *file_path, const char *file_name, const char *content_type, _Out_ dinero_response **response_out)',
  'dinero_status dinero_client_upload_bytes(dinero_client *client, const uint8_t *bytes, size_t len, const char *file_name, const char *content_type, _Out_ dinero_response **response_out)',
  'dinero_status dinero_client_access_token(dinero_client *client, _Out_ dinero_owned_string *token_out)',
  'void dinero_client_free(dinero_client *client)',
  'dinero_status dinero_client_close(dinero_client *client)',
  'dinero_status dinero_connect_authorize_url(const char *client_id, const char *redirect_uri, const dinero_options *options, _Out_ dinero_owned_string *authorization_out)',
  'dinero_status dinero_connect_authenticate_code(const char *client_id, const char *client_secret, const char *authorization, const char *callback, const dinero_options *options, _Out_ dinero_client **client_out)',
  'dinero_status dinero_connect_authenticate(const char *client_id, const char *client_secret, const char *refresh_token, const dinero_options *options, _Out_ dinero_client **client_out)',
  'dinero_status dinero_options_set_refresh_token_callback(dinero_options *options, dinero_refresh_token_callback *callback, void *user_data)',
  'dinero_status dinero_client_organizations(dinero_client *client, _Out_ dinero_response **response_out)',
  'dinero_status dinero_client_create(dinero_client *client, const char *collection_path, const char *json_body, _Out_ dinero_owned_string *guid_out, _Out_ dinero_response **response_out)',
  'const char *dinero_version(void)',
  'const char *dinero_status_str(dinero_status status)',
  'const char *dinero_last_error(void)',
  'void dinero_string_free(dinero_owned_string string)',
  'dinero_status dinero_options_set_log_callback(dinero_options *options, dinero_log_callback *callback, void *user_data, uint32_t max_level)',
  'dinero_status dinero_log_level_parse(const char *name, _Out_ uint32_t *level_out)',
  'const char *dinero_log_level_name(uint32_t level)',
  'dinero_options *dinero_options_new(void)',
  'dinero_status dinero_options_set(dinero_options *options, const char *key, const char *value)',
  'dinero_status dinero_options_set_json(dinero_options *options, const char *json)',
  'void dinero_options_free(dinero_options *options)',
  'dinero_status dinero_pages_new(dinero_client *client, const dinero_request_builder *request, uint32_t page_size, _Out_ dinero_pages **pages_out)',
  'dinero_status dinero_pages_next(dinero_pages *pages, _Out_ dinero_response **response_out)',
  'void dinero_pages_free(dinero_pages *pages)',
  'dinero_status dinero_pages_new_with(dinero_client *client, const char *path, const char *spec, uint32_t page_size, _Out_ dinero_pages **pages_out)',
  'dinero_status dinero_private_file_write(const char *path, const uint8_t *data, size_t len, _Out_ dinero_owned_string *path_out)',
  'dinero_status dinero_request_builder_new(const char *method, const char *path, _Out_ dinero_request_builder **request_out)',
  'dinero_status dinero_request_builder_new_with(const char *method, const char *path, const char *spec, const uint8_t *data, size_t data_len, _Out_ dinero_request_builder **request_out)',
  'dinero_status dinero_request_builder_set_header(dinero_request_builder *request, const char *name, const char *value)',
  'dinero_status dinero_request_builder_add_query(dinero_request_builder *request, const char *key, const char *value)',
  'dinero_status dinero_request_builder_set_body(dinero_request_builder *request, const uint8_t *body, size_t len, const char *content_type)',
  'void dinero_request_builder_free(dinero_request_builder *request)',
  'uint16_t dinero_response_status(const dinero_response *response)',
  'bool dinero_response_is_ok(const dinero_response *response)',
  'const uint8_t *dinero_response_body(const dinero_response *response, _Out_ size_t *len_out)',
  'const char *dinero_response_header(const dinero_response *response, const char *name)',
  'size_t dinero_response_header_count(const dinero_response *response)',
  'const char *dinero_response_header_name(const dinero_response *response, size_t index)',
  'const char *dinero_response_error_message(const dinero_response *response)',
  'const char *dinero_response_error_json(const dinero_response *response)',
  'dinero_status dinero_error_body_parse(uint16_t http_status, const uint8_t *body, size_t len, _Out_ dinero_owned_string *json_out)',
  'dinero_status dinero_response_save(const dinero_response *response, const char *file_path)',
  'void dinero_response_free(dinero_response *response)',
  'const char *dinero_response_headers_json(const dinero_response *response)',
  'dinero_status dinero_response_json(const dinero_response *response, _Out_ const char **json_out)',
]);
