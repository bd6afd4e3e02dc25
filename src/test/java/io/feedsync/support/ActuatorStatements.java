package io.feedsync.support;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Logger;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.util.DriverDataSource;
import jakarta.servlet.Filter;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.util.ClassUtils;

/**
 * The SQL statements the application's pool executes while it serves an actuator request
 * ({@code /actuator/*}), on the request's own thread: what runs beside it (timers, delivery polls,
 * Quartz check-ins) is not counted. The application keeps its Hikari pool; the pool makes its
 * connections through a data source that wraps each one, so every statement executed on the pool
 * goes through the count, against the real database. Add {@link Counting} to the application's sources.
 */
public final class ActuatorStatements implements BeanPostProcessor {

    private final ThreadLocal<Boolean> serving = ThreadLocal.withInitial(() -> false);
    private volatile boolean everyThread;
    private final List<String> executed = Collections.synchronizedList(new ArrayList<>());

    @Configuration(proxyBeanMethods = false)
    public static class Counting {

        @Bean
        static ActuatorStatements actuatorStatements() {
            return new ActuatorStatements();
        }

        @Bean
        FilterRegistrationBean<Filter> actuatorStatementsFilter(ActuatorStatements statements) {
            Filter filter = (request, response, chain) -> {
                statements.serving.set(true);
                try {
                    chain.doFilter(request, response);
                } finally {
                    statements.serving.set(false);
                }
            };
            FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(filter);
            registration.addUrlPatterns("/actuator/*");
            registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
            return registration;
        }
    }

    /** The statements executed (their SQL, one entry per execution) while {@code request} ran. */
    public List<String> during(Runnable request) {
        executed.clear();
        request.run();
        synchronized (executed) {
            return List.copyOf(executed);
        }
    }

    /**
     * The statements executed on any thread while {@code request} ran: for a request the application serves
     * on another thread than the request's (a Camel REST route), with what runs beside it (Quartz's check-in).
     */
    public List<String> duringOnAnyThread(Runnable request) {
        everyThread = true;
        try {
            return during(request);
        } finally {
            everyThread = false;
        }
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String name) {
        if (bean instanceof HikariDataSource pool && pool.getDataSource() == null) {
            pool.setDataSource(new CountingDataSource(new DriverDataSource(pool.getJdbcUrl(), pool.getDriverClassName(),
                    pool.getDataSourceProperties(), pool.getUsername(), pool.getPassword())));
        }
        return bean;
    }

    private void executed(String sql) {
        if (everyThread || serving.get()) {
            executed.add(sql);
        }
    }

    /** {@code target} behind a proxy with all its interfaces (PGConnection too), each call handed on. */
    private static <T> T forwarding(T target, InvocationHandler around) {
        @SuppressWarnings("unchecked")
        T proxy = (T) Proxy.newProxyInstance(target.getClass().getClassLoader(),
                ClassUtils.getAllInterfaces(target), around);
        return proxy;
    }

    private static Object call(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private Connection counting(Connection connection) {
        return forwarding(connection, (proxy, method, args) -> {
            Object result = call(connection, method, args);
            if (result instanceof Statement statement) {
                String sql = args != null && args.length > 0 && args[0] instanceof String text ? text : null;
                return counting(statement, sql);
            }
            return result;
        });
    }

    private Statement counting(Statement statement, String prepared) {
        return forwarding(statement, (proxy, method, args) -> {
            if (method.getName().startsWith("execute")) {
                executed(prepared != null ? prepared : args != null && args.length > 0 ? String.valueOf(args[0]) : "?");
            }
            return call(statement, method, args);
        });
    }

    private final class CountingDataSource implements DataSource {

        private final DataSource target;

        CountingDataSource(DataSource target) {
            this.target = target;
        }

        @Override
        public Connection getConnection() throws SQLException {
            return counting(target.getConnection());
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return counting(target.getConnection(username, password));
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return target.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            target.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            target.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return target.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            return target.getParentLogger();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            return iface.isInstance(this) ? iface.cast(this) : target.unwrap(iface);
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) throws SQLException {
            return iface.isInstance(this) || target.isWrapperFor(iface);
        }
    }
}
