// Typed, non-variadic wrappers over libcurl's variadic setters and getters.
//
// Swift does not import C functions declared with `...`, so each wrapper fixes the third
// argument of curl_easy_setopt / curl_easy_getinfo to one C type. Every name carries the
// `ccurl_` prefix so it cannot collide with libcurl's own symbols.
#ifndef CCURL_SHIM_H
#define CCURL_SHIM_H

#include <curl/curl.h>

static inline CURLcode ccurl_setopt_long(CURL *_Nonnull handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ccurl_setopt_off_t(CURL *_Nonnull handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ccurl_setopt_string(CURL *_Nonnull handle, CURLoption option, const char *_Nullable value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ccurl_setopt_pointer(CURL *_Nonnull handle, CURLoption option, void *_Nullable value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ccurl_setopt_slist(CURL *_Nonnull handle, CURLoption option, struct curl_slist *_Nullable value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ccurl_setopt_write_callback(CURL *_Nonnull handle, CURLoption option, curl_write_callback _Nullable value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ccurl_setopt_xferinfo_callback(CURL *_Nonnull handle, curl_xferinfo_callback _Nullable value) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, value);
}

static inline CURLcode ccurl_getinfo_long(CURL *_Nonnull handle, CURLINFO info, long *_Nonnull out) {
    return curl_easy_getinfo(handle, info, out);
}

static inline CURLcode ccurl_getinfo_string(CURL *_Nonnull handle, CURLINFO info, char *_Nullable *_Nonnull out) {
    return curl_easy_getinfo(handle, info, out);
}

static inline CURLcode ccurl_getinfo_off_t(CURL *_Nonnull handle, CURLINFO info, curl_off_t *_Nonnull out) {
    return curl_easy_getinfo(handle, info, out);
}

/// `CURLVERSION_NOW` is a macro alias Swift cannot see.
static inline const curl_version_info_data *_Nonnull ccurl_version_info(void) {
    return curl_version_info(CURLVERSION_NOW);
}

#endif
