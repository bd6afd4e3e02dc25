package io.feedsync.api;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Answers 413 to a request body larger than {@link #MAX_BODY}, before reading it. The API's bodies
 * are small JSON objects, and a REST route or Spring's form parser reads its body whole: without a
 * limit, one huge request would be read into memory. Every request is judged, whatever its path,
 * spelling or credentials, before anything else runs (Spring Security, any route): a check of the raw
 * path could be passed by another spelling of it ({@code /%61pi/feeds} is {@code /api/feeds} once
 * decoded). A declared Content-Length is judged up front (Tomcat then reads no more); a chunked body
 * is read up to 64 KB and no further. The one exception is Jolokia, the console's JMX over HTTP,
 * whose bulk requests grow with the number of MBeans (the console's permission check of every
 * operation is ~600 KB on a small node): on Jolokia's own path, decoded, a body with a declared
 * length may have up to {@code feedsync.security.jolokia-max-body} (16 MB), read by Jolokia only once
 * Spring Security let an operator in; a chunked one is held to 64 KB like any other.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class SmallBodiesOnly extends OncePerRequestFilter {

    static final DataSize MAX_BODY = DataSize.ofKilobytes(64);
    /** Jolokia's servlet, and the console's forward to it. */
    private static final String[] JOLOKIA = {"/actuator/jolokia", "/actuator/hawtio/jolokia"};

    private final ObjectMapper json;
    private final DataSize jolokiaMaxBody;

    public SmallBodiesOnly(ObjectMapper json,
                           @Value("${feedsync.security.jolokia-max-body:16MB}") DataSize jolokiaMaxBody) {
        this.json = json;
        this.jolokiaMaxBody = jolokiaMaxBody;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long declared = request.getContentLengthLong();
        DataSize limit = isJolokia(request) ? jolokiaMaxBody : MAX_BODY;
        if (declared > limit.toBytes()) {
            refuse(response, "request body is larger than " + limit.toKilobytes() + "KB; feedsync takes small JSON objects");
            return;
        }
        if (declared >= 0 || request.getHeader(HttpHeaders.TRANSFER_ENCODING) == null) {
            // the servlet container reads no more than the declared length, and nothing without either
            chain.doFilter(request, response);
            return;
        }
        byte[] body = request.getInputStream().readNBytes((int) MAX_BODY.toBytes() + 1);
        if (body.length > MAX_BODY.toBytes()) {
            refuse(response, "request body is larger than " + MAX_BODY.toKilobytes() + "KB; feedsync takes small JSON "
                    + "objects" + (limit == MAX_BODY ? "" : " (a larger one with a Content-Length)"));
            return;
        }
        chain.doFilter(new ReadBody(request, body), response);
    }

    /**
     * Whether the request goes to Jolokia: its path as the servlet container decoded and mapped it, as
     * Jolokia's servlet or the console's forward to it takes it (so no other handler gets the larger limit).
     */
    private static boolean isJolokia(HttpServletRequest request) {
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        for (String jolokia : JOLOKIA) {
            if (path.equals(jolokia) || path.startsWith(jolokia + "/")) {
                return true;
            }
        }
        return false;
    }

    private void refuse(HttpServletResponse response, String message) throws IOException {
        response.setStatus(HttpStatus.PAYLOAD_TOO_LARGE.value());
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        // the rest of the body is not worth reading
        response.setHeader("Connection", "close");
        json.writeValue(response.getOutputStream(), ApiError.of("payload_too_large", message));
    }

    /** The request with its (small) body already read. */
    private static final class ReadBody extends HttpServletRequestWrapper {

        private final byte[] body;

        ReadBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] buffer, int offset, int length) {
                    return in.read(buffer, offset, length);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("the body was read already");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            Charset charset = getCharacterEncoding() == null ? StandardCharsets.UTF_8
                    : Charset.forName(getCharacterEncoding());
            return new BufferedReader(new InputStreamReader(getInputStream(), charset));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
