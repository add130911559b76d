/* Generated from include/dinero.h by bindings/php/tools/generate-declarations.php;
   do not edit (run: php bindings/php/tools/generate-declarations.php). */

typedef struct dinero_client dinero_client;

typedef struct dinero_options dinero_options;

typedef struct dinero_pages dinero_pages;

typedef struct dinero_request_builder dinero_request_builder;

typedef struct dinero_response dinero_response;

typedef uint32_t dinero_status;

typedef void (*dinero_done_callback)(void *user_data,
                                     dinero_status status,
                                     const char *message,
                                     void *handle,
                                     char *text);

typedef void (*dinero_refresh_token_callback)(void *user_data, const char *refresh_token);

typedef bool (*dinero_interrupt_callback)(void *user_data);

typedef void (*dinero_log_callback)(void *user_data, uint32_t level, const char *message);

dinero_status dinero_authenticate_async(const char *client_id,
                                        const char *client_secret,
                                        const char *api_key,
                                        const dinero_options *options,
                                        dinero_done_callback done,
                                        void *user_data);

dinero_status dinero_connect_authenticate_code_async(const char *client_id,
                                                     const char *client_secret,
                                                     const char *authorization,
                                                     const char *callback,
                                                     const dinero_options *options,
                                                     dinero_done_callback done,
                                                     void *user_data);

dinero_status dinero_connect_authenticate_async(const char *client_id,
                                                const char *client_secret,
                                                const char *refresh_token,
                                                const dinero_options *options,
                                                dinero_done_callback done,
                                                void *user_data);

dinero_status dinero_client_call_async(dinero_client *client,
                                       const char *method,
                                       const char *path,
                                       const char *spec,
                                       const char *data,
                                       size_t data_len,
                                       dinero_done_callback done,
                                       void *user_data);

dinero_status dinero_pages_next_async(dinero_pages *pages,
                                      dinero_done_callback done,
                                      void *user_data);

dinero_status dinero_client_upload_bytes_async(dinero_client *client,
                                               const char *bytes,
                                               size_t len,
                                               const char *file_name,
                                               const char *content_type,
                                               dinero_done_callback done,
                                               void *user_data);

dinero_status dinero_client_upload_file_async(dinero_client *client,
                                              const char *file_path,
                                              const char *file_name,
                                              const char *content_type,
                                              dinero_done_callback done,
                                              void *user_data);

dinero_status dinero_client_create_async(dinero_client *client,
                                         const char *collection_path,
                                         const char *json_body,
                                         dinero_done_callback done,
                                         void *user_data);

dinero_status dinero_client_organizations_async(dinero_client *client,
                                                dinero_done_callback done,
                                                void *user_data);

dinero_status dinero_client_access_token_async(dinero_client *client,
                                               dinero_done_callback done,
                                               void *user_data);

dinero_status dinero_response_save_async(const dinero_response *response,
                                         const char *file_path,
                                         dinero_done_callback done,
                                         void *user_data);

dinero_status dinero_background_set_threads(uint32_t threads);

dinero_status dinero_authenticate(const char *client_id,
                                  const char *client_secret,
                                  const char *api_key,
                                  const dinero_options *options,
                                  dinero_client **client_out);

dinero_status dinero_request(dinero_client *client,
                             const char *method,
                             const char *path,
                             const char *json_body,
                             dinero_response **response_out);

dinero_status dinero_client_send(dinero_client *client,
                                 const dinero_request_builder *request,
                                 dinero_response **response_out);

dinero_status dinero_client_call(dinero_client *client,
                                 const char *method,
                                 const char *path,
                                 const char *spec,
                                 const char *data,
                                 size_t data_len,
                                 dinero_response **response_out);

dinero_status dinero_client_upload_file(dinero_client *client,
                                        const char *file_path,
                                        const char *file_name,
                                        const char *content_type,
                                        dinero_response **response_out);

dinero_status dinero_client_upload_bytes(dinero_client *client,
                                         const char *bytes,
                                         size_t len,
                                         const char *file_name,
                                         const char *content_type,
                                         dinero_response **response_out);

dinero_status dinero_client_access_token(dinero_client *client, char **token_out);

void dinero_client_free(dinero_client *client);

dinero_status dinero_client_close(dinero_client *client);

dinero_status dinero_connect_authorize_url(const char *client_id,
                                           const char *redirect_uri,
                                           const dinero_options *options,
                                           char **authorization_out);

dinero_status dinero_connect_authenticate_code(const char *client_id,
                                               const char *client_secret,
                                               const char *authorization,
                                               const char *callback,
                                               const dinero_options *options,
                                               dinero_client **client_out);

dinero_status dinero_connect_authenticate(const char *client_id,
                                          const char *client_secret,
                                          const char *refresh_token,
                                          const dinero_options *options,
                                          dinero_client **client_out);

dinero_status dinero_options_set_refresh_token_callback(dinero_options *options,
                                                        dinero_refresh_token_callback callback,
                                                        void *user_data);

dinero_status dinero_client_organizations(dinero_client *client, dinero_response **response_out);

dinero_status dinero_client_create(dinero_client *client,
                                   const char *collection_path,
                                   const char *json_body,
                                   char **guid_out,
                                   dinero_response **response_out);

dinero_status dinero_options_set_interrupt_callback(dinero_options *options,
                                                    dinero_interrupt_callback callback,
                                                    void *user_data);

const char *dinero_version(void);

const char *dinero_status_str(dinero_status status);

const char *dinero_last_error(void);

void dinero_string_free(char *string);

dinero_status dinero_options_set_log_callback(dinero_options *options,
                                              dinero_log_callback callback,
                                              void *user_data,
                                              uint32_t max_level);

dinero_status dinero_log_level_parse(const char *name, uint32_t *level_out);

const char *dinero_log_level_name(uint32_t level);

dinero_options *dinero_options_new(void);

dinero_status dinero_options_set(dinero_options *options,
                                 const char *key,
                                 const char *value);

dinero_status dinero_options_set_json(dinero_options *options, const char *json);

void dinero_options_free(dinero_options *options);

dinero_status dinero_pages_new(dinero_client *client,
                               const dinero_request_builder *request,
                               uint32_t page_size,
                               dinero_pages **pages_out);

dinero_status dinero_pages_next(dinero_pages *pages, dinero_response **response_out);

void dinero_pages_free(dinero_pages *pages);

dinero_status dinero_pages_new_with(dinero_client *client,
                                    const char *path,
                                    const char *spec,
                                    uint32_t page_size,
                                    dinero_pages **pages_out);

dinero_status dinero_private_file_write(const char *path,
                                        const char *data,
                                        size_t len,
                                        char **path_out);

dinero_status dinero_request_builder_new(const char *method,
                                         const char *path,
                                         dinero_request_builder **request_out);

dinero_status dinero_request_builder_new_with(const char *method,
                                              const char *path,
                                              const char *spec,
                                              const char *data,
                                              size_t data_len,
                                              dinero_request_builder **request_out);

dinero_status dinero_request_builder_set_header(dinero_request_builder *request,
                                                const char *name,
                                                const char *value);

dinero_status dinero_request_builder_add_query(dinero_request_builder *request,
                                               const char *key,
                                               const char *value);

dinero_status dinero_request_builder_set_body(dinero_request_builder *request,
                                              const char *body,
                                              size_t len,
                                              const char *content_type);

void dinero_request_builder_free(dinero_request_builder *request);

uint16_t dinero_response_status(const dinero_response *response);

bool dinero_response_is_ok(const dinero_response *response);

const uint8_t *dinero_response_body(const dinero_response *response, size_t *len_out);

const char *dinero_response_request(const dinero_response *response);

const char *dinero_response_header(const dinero_response *response, const char *name);

size_t dinero_response_header_count(const dinero_response *response);

const char *dinero_response_header_name(const dinero_response *response, size_t index);

const char *dinero_response_error_message(const dinero_response *response);

const char *dinero_response_error_json(const dinero_response *response);

dinero_status dinero_error_body_parse(uint16_t http_status,
                                      const char *body,
                                      size_t len,
                                      char **json_out);

dinero_status dinero_response_save(const dinero_response *response, const char *file_path);

void dinero_response_free(dinero_response *response);

const char *dinero_response_headers_json(const dinero_response *response);

dinero_status dinero_response_json(const dinero_response *response, const char **json_out);
