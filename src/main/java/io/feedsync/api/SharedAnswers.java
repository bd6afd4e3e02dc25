package io.feedsync.api;

import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.rest.ParamDefinition;
import org.apache.camel.model.rest.ResponseMessageDefinition;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.RestParamType;
import org.apache.camel.model.rest.VerbDefinition;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.stereotype.Component;

/**
 * The answers that every operation of routes/api-rest.yaml of a kind gives, added to its OpenAPI
 * responses here rather than written out under each one: they come from what stands before the routes
 * (Spring Security, {@link SmallBodiesOnly}, {@link JsonBodiesOnly}) and the database, not from the
 * operation. An operation that declares one of these status codes itself keeps its own.
 * (YAML aliases cannot carry them: Camel's YAML loader allows at most 50 aliases of a map per file.)
 */
@Component
public class SharedAnswers implements CamelContextConfiguration {

    private static final String ERROR = ApiError.class.getName();

    @Override
    public void beforeApplicationStart(CamelContext context) {
        for (RestDefinition rest : context.getCamelContextExtension().getContextPlugin(Model.class).getRestDefinitions()) {
            rest.getVerbs().forEach(SharedAnswers::add);
        }
    }

    @Override
    public void afterApplicationStart(CamelContext context) {
    }

    private static void add(VerbDefinition operation) {
        boolean reads = "get".equals(operation.asVerb());
        boolean body = operation.getParams().stream().map(ParamDefinition::getType).anyMatch(RestParamType.body::equals);
        add(operation, "401", "credentials missing or wrong");
        if (!reads) {
            add(operation, "403", "role not allowed, or (basic auth) CSRF token missing");
        }
        if (body) {
            add(operation, "413", "body larger than 64KB");
            add(operation, "415", "a body that is not application/json");
        }
        add(operation, "503", "the database is unavailable; try again");
    }

    private static void add(VerbDefinition operation, String code, String message) {
        List<ResponseMessageDefinition> answers = operation.getResponseMsgs();
        if (answers.stream().anyMatch(answer -> code.equals(answer.getCode()))) {
            return;
        }
        ResponseMessageDefinition answer = new ResponseMessageDefinition();
        answer.setCode(code);
        answer.setMessage(message);
        answer.setResponseModel(ERROR);
        // before the first greater status code: the document keeps the order the answers are declared in
        int at = 0;
        while (at < answers.size() && Integer.parseInt(answers.get(at).getCode()) < Integer.parseInt(code)) {
            at++;
        }
        answers.add(at, answer);
    }
}
