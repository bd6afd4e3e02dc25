package io.feedsync.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.context.annotation.Profile;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * DEMO ONLY (profile {@code demo}): a sample upstream served by feedsync itself, shaped like the
 * epa_gateway epa_clients export — {@code {"epa_clients": [...]}} with nested certificates,
 * paginated with RFC 8288 Link headers — so that the bundled sample feed syncs over real HTTP on
 * a fresh machine.
 */
@RestController
@Profile("demo")
class DemoExportController {

    private static final String[] PAYERS = {"Anthem", "Aetna", "Cigna", "Humana", "Kaiser", "Centene", "Molina",
            "Highmark", "Wellcare", "Oscar", "Ambetter", "Premera"};
    private static final int CLIENTS = 24;

    @GetMapping("/demo/epa-clients-export")
    ResponseEntity<Map<String, Object>> export(@RequestParam(defaultValue = "1") int page,
                                               @RequestParam(name = "per_page", defaultValue = "10") int perPage) {
        int size = Math.max(1, Math.min(perPage, 100));
        int from = Math.max(0, (page - 1) * size);
        List<Map<String, Object>> clients = new ArrayList<>();
        for (int id = from + 1; id <= Math.min(CLIENTS, from + size); id++) {
            clients.add(client(id));
        }
        HttpHeaders headers = new HttpHeaders();
        if (from + size < CLIENTS) {
            String next = ServletUriComponentsBuilder.fromCurrentRequest()
                    .replaceQueryParam("page", page + 1).toUriString();
            headers.add(HttpHeaders.LINK, "<" + next + ">; rel=\"next\"");
        }
        return ResponseEntity.ok().headers(headers).body(Map.of("epa_clients", clients));
    }

    private static Map<String, Object> client(int id) {
        String payer = PAYERS[(id - 1) % PAYERS.length];
        String key = payer + "_" + (id <= PAYERS.length ? "Commercial" : "Medicare");
        return Map.of(
                "id", id,
                "key", key,
                "version", id % 3 == 0 ? "v2014041" : "v2017071",
                "incoming_username", key.toLowerCase() + "_in",
                "outgoing_url", "https://" + payer.toLowerCase() + ".example.org/epa/" + id,
                "client_certificates", List.of(Map.of(
                        "id", 1000 + id,
                        "direction", "incoming",
                        "fingerprint", String.format("SHA256:%064x", (long) id * 7919),
                        "expires_on", "2027-0" + (1 + id % 9) + "-15")));
    }
}
