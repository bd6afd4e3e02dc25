package io.feedsync.api.security;

import java.io.IOException;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.csrf.CsrfException;

import io.feedsync.api.ApiError;

/** 401 and 403 in the API's own error shape, {@code {error, message}}. */
class JsonSecurityErrors implements AuthenticationEntryPoint, AccessDeniedHandler {

    static final String REALM = "feedsync";

    private final ObjectMapper json;

    JsonSecurityErrors(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException failure)
            throws IOException {
        response.addHeader(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"" + REALM + "\"");
        response.addHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"" + REALM + "\"");
        String message = ApiKeyAuthenticationConverter.presentsKey(request) || request.getHeader(HttpHeaders.AUTHORIZATION) != null
                ? "the credentials sent are not valid"
                : "credentials required: an API key (Authorization: Bearer <key> or X-API-Key: <key>) or basic auth";
        write(response, HttpServletResponse.SC_UNAUTHORIZED, "unauthorized", message);
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException denied)
            throws IOException {
        String message = denied instanceof CsrfException
                ? "missing or wrong CSRF token (send the XSRF-TOKEN cookie's value as X-XSRF-TOKEN)"
                : "your role may not " + request.getMethod() + " " + request.getRequestURI();
        write(response, HttpServletResponse.SC_FORBIDDEN, "forbidden", message);
    }

    void write(HttpServletResponse response, int status, String error, String message) throws IOException {
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        json.writeValue(response.getOutputStream(), ApiError.of(error, message));
    }
}
