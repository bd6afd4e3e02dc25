package io.feedsync.transform;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import io.feedsync.support.FeedsyncTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The EPA client export with the bundled epaClientMapper: one epa_clients record becomes partner,
 * plan, auth config and certificate rows, in one transaction per batch, parents first.
 */
class EpaClientMappingTest extends FeedsyncTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] PAYERS = {"Anthem", "Aetna", "Cigna"};

    private static ObjectNode client(int id, String version) {
        ObjectNode client = JSON.createObjectNode();
        String payer = PAYERS[id % PAYERS.length];
        client.put("id", id);
        client.put("key", payer + "_Plan" + id);
        client.put("version", version);
        client.put("incoming_username", payer.toLowerCase() + id + "_in");
        client.put("outgoing_url", "https://" + payer.toLowerCase() + ".example.org/epa/" + id);
        com.fasterxml.jackson.databind.node.ArrayNode certificates = client.putArray("client_certificates");
        for (int c = 0; c < 2; c++) {
            ObjectNode certificate = certificates.addObject();
            certificate.put("id", id * 10 + c);
            certificate.put("direction", c == 0 ? "incoming" : "outgoing");
            certificate.put("fingerprint", "SHA256:" + id + c);
            certificate.put("expires_on", "2027-06-1" + c);
        }
        return client;
    }

    private static List<ObjectNode> clients(int count, String version) {
        List<ObjectNode> clients = new ArrayList<>();
        for (int id = 1; id <= count; id++) {
            clients.add(client(id, version));
        }
        return clients;
    }

    @Test
    void newClientBecomesPartnerPlanAuthConfigAndCertificates() {
        upstream.dataset("clients", List.of(client(1, "v2014041")));

        JsonNode run = api.run("epa-clients");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("counts").get("inserted").asLong()).isEqualTo(1);
        Map<String, Object> plan = jdbc.queryForMap("select * from epa_plans where epa_type = 'Aetna_Plan1'");
        assertThat(plan).containsEntry("partner_name", "Aetna").containsEntry("ncpdp_version", "v2014041")
                .containsEntry("gateway_id", 1);
        assertThat(jdbc.queryForMap("select * from epa_auth_configs where epa_type = 'Aetna_Plan1'"))
                .containsEntry("incoming_username", "aetna1_in");
        assertThat(jdbc.queryForList("select name from epa_partners", String.class)).containsExactly("Aetna");
        assertThat(jdbc.queryForList("select direction from epa_certificates where epa_type = 'Aetna_Plan1' "
                + "order by gateway_certificate_id", String.class)).containsExactly("incoming", "outgoing");
    }

    @Test
    void changedVersionUpdatesTheNcpdpVersion() {
        upstream.dataset("clients", List.of(client(1, "v2014041")));
        api.run("epa-clients");
        upstream.dataset("clients", List.of(client(1, "v2017071")));

        JsonNode run = api.run("epa-clients");

        assertThat(run.get("counts").get("updated").asLong()).isEqualTo(1);
        assertThat(jdbc.queryForObject("select ncpdp_version from epa_plans where epa_type = 'Aetna_Plan1'", String.class))
                .isEqualTo("v2017071");
    }

    @Test
    void upstreamErrorLeavesTheDatabaseUnchanged() {
        upstream.dataset("clients", clients(3, "v1"));
        api.run("epa-clients");
        String before = snapshot();
        upstream.dataset("clients", clients(3, "v2"));
        upstream.failAlways(request -> true, 500);

        JsonNode run = api.run("epa-clients");

        assertThat(run.get("status").asText()).isEqualTo("FAILED");
        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void tenClientsSyncedTwiceGiveTenPlansAndNoDuplicates() {
        upstream.dataset("clients", clients(10, "v1"));

        JsonNode first = api.run("epa-clients");
        JsonNode second = api.run("epa-clients");

        assertThat(first.get("counts").get("inserted").asLong()).isEqualTo(10);
        assertThat(second.get("counts").get("unchanged").asLong()).isEqualTo(10);
        assertThat(count("select count(*) from epa_plans")).isEqualTo(10);
        assertThat(count("select count(*) from epa_auth_configs")).isEqualTo(10);
        assertThat(count("select count(*) from epa_certificates")).isEqualTo(20);
        assertThat(count("select count(*) from epa_partners")).isEqualTo(3);
    }

    @Test
    void recordWhoseChildRowFailsLandsNoneOfItsRows() {
        List<ObjectNode> clients = clients(4, "v1");
        ((ObjectNode) clients.get(2).get("client_certificates").get(1)).put("expires_on", "not-a-date");
        upstream.dataset("clients", clients);

        JsonNode run = api.run("epa-clients");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("counts").get("inserted").asLong()).isEqualTo(3);
        assertThat(run.get("counts").get("deadLettered").asLong()).isEqualTo(1);
        assertThat(count("select count(*) from epa_plans where epa_type = 'Anthem_Plan3'")).isZero();
        assertThat(count("select count(*) from epa_auth_configs where epa_type = 'Anthem_Plan3'")).isZero();
        assertThat(count("select count(*) from epa_certificates where epa_type = 'Anthem_Plan3'")).isZero();
        assertThat(jdbc.queryForObject("select error_message from sync_dead_letter", String.class))
                .contains("not-a-date");
    }

    @Test
    void clientRejectedByTheMapperKeepsItsRowsInAFullRun() {
        upstream.dataset("clients", clients(10, "v1"));
        api.run("epa-clients");
        List<ObjectNode> next = clients(10, "v2");
        next.get(3).remove("version");
        next.remove(7);
        upstream.dataset("clients", next);

        JsonNode run = api.run("epa-clients");

        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(run.get("counts").get("deadLettered").asLong()).isEqualTo(1);
        assertThat(run.get("counts").get("deleted").asLong()).as("only the client really gone").isEqualTo(1);
        assertThat(jdbc.queryForList("select epa_type from epa_plans where deleted_at is not null", String.class))
                .containsExactly(PAYERS[8 % PAYERS.length] + "_Plan8");
        assertThat(jdbc.queryForMap("select ncpdp_version, deleted_at from epa_plans where epa_type = ?",
                PAYERS[4 % PAYERS.length] + "_Plan4"))
                .as("the rejected client's plan stays, as it was").containsEntry("ncpdp_version", "v1")
                .containsEntry("deleted_at", null);
        assertThat(jdbc.queryForObject("select record_key from sync_dead_letter", String.class))
                .isEqualTo(PAYERS[4 % PAYERS.length] + "_Plan4");
    }

    private String snapshot() {
        return List.of("epa_partners", "epa_plans", "epa_auth_configs", "epa_certificates").stream()
                .map(table -> jdbc.queryForList("select t::text from " + table + " t order by 1", String.class).toString())
                .toList().toString();
    }
}
