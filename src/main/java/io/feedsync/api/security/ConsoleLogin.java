package io.feedsync.api.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;

import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * The console users' basic-auth login ({@link ConsoleUsers}). A plain password from the configuration
 * is kept only as its SHA-256 digest and compared in constant time, as the API keys are: a wrong one
 * costs a hash, not a bcrypt. An encoded one ({@code {bcrypt}$2a$…}) is checked by its encoder, at
 * its cost; {@link LoginThrottle} bounds how often a wrong one is tried. A name that is no console
 * user is left to the next provider (an API key under its name).
 */
final class ConsoleLogin implements AuthenticationProvider {

    /** A console user: a digest of a plain password, or an encoded password, and the role. */
    record User(byte[] digest, String encoded, Role role) {
    }

    private final Map<String, User> users;
    private final PasswordEncoder encoder;

    ConsoleLogin(Map<String, User> users, PasswordEncoder encoder) {
        this.users = Map.copyOf(users);
        this.encoder = encoder;
    }

    boolean isUser(String name) {
        return users.containsKey(name);
    }

    @Override
    public Authentication authenticate(Authentication login) {
        User user = users.get(login.getName());
        if (user == null || !(login.getCredentials() instanceof String password)) {
            return null;
        }
        boolean matches = user.digest() != null ? MessageDigest.isEqual(user.digest(), digest(password))
                : encoder.matches(password, user.encoded());
        if (!matches) {
            throw new BadCredentialsException("bad console credentials");
        }
        UsernamePasswordAuthenticationToken authenticated = UsernamePasswordAuthenticationToken.authenticated(
                login.getName(), null, List.of(user.role().authority()));
        authenticated.setDetails(login.getDetails());
        return authenticated;
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
    }

    static byte[] digest(String password) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
