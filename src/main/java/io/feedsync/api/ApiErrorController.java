package io.feedsync.api;

import java.io.IOException;
import java.util.Locale;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * The servlet container's error page, in the API's one error shape instead of Spring Boot's: what
 * no route answered (an unknown path, a method a path does not take) and whatever failed outside
 * the routes. Written as JSON whatever the request accepts.
 */
@Controller
public class ApiErrorController implements ErrorController {

    private final ObjectMapper json;

    public ApiErrorController(ObjectMapper json) {
        this.json = json;
    }

    @RequestMapping("${server.error.path:${error.path:/error}}")
    public void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        HttpStatus status = code instanceof Integer value && HttpStatus.resolve(value) != null
                ? HttpStatus.valueOf(value) : HttpStatus.INTERNAL_SERVER_ERROR;
        Object uri = request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI);
        String target = request.getMethod() + " " + (uri == null ? request.getRequestURI() : uri);
        ApiError body = switch (status) {
            case NOT_FOUND -> ApiError.of("not_found", "nothing answers " + target
                    + "; the API's paths are listed in /api/openapi.json");
            case METHOD_NOT_ALLOWED -> ApiError.of("method_not_allowed", target + " is not allowed"
                    + (response.getHeader("Allow") == null ? "" : "; allowed: " + sorted(response.getHeader("Allow"))));
            case UNSUPPORTED_MEDIA_TYPE -> ApiError.of("unsupported_media_type", "send the body as application/json");
            case INTERNAL_SERVER_ERROR -> ApiError.of("internal", "internal error; see the feedsync log");
            default -> ApiError.of(status.name().toLowerCase(Locale.ROOT), status.getReasonPhrase());
        };
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        json.writeValue(response.getOutputStream(), body);
    }

    /** The methods of an Allow header in a stable order (the router lists them as it finds them). */
    private static String sorted(String allow) {
        return java.util.Arrays.stream(allow.split(",")).map(String::trim).sorted()
                .collect(java.util.stream.Collectors.joining(", "));
    }
}
