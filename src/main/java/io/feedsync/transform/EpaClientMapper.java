package io.feedsync.transform;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import org.springframework.stereotype.Component;

/**
 * The bundled example of a mapping bean ({@code transform.bean: epaClientMapper}), the demo export's
 * partner-service refresh: one epa_gateway {@code epa_clients} record becomes four kinds of rows,
 * parents first — its partner (named by the key's prefix, {@code Anthem_Commercial} → {@code Anthem}),
 * its plan ({@code key} → {@code epa_type}, {@code version} → {@code ncpdp_version}), the plan's auth
 * config, and one row per nested client certificate. Tables: {@code db/demo/R__demo_plans.sql}.
 */
@Component("epaClientMapper")
public class EpaClientMapper implements RecordMapper {

    private static final Set<String> TABLES = Set.of("epa_partners", "epa_plans", "epa_auth_configs", "epa_certificates");

    @Override
    public Set<String> tables() {
        return TABLES;
    }

    @Override
    public List<TargetRow> map(JsonNode client) {
        String epaType = required(client, "key");
        try {
            return rows(client, epaType);
        } catch (RecordRejectedException rejected) {
            throw rejected.forKey(List.of(epaType));
        }
    }

    private List<TargetRow> rows(JsonNode client, String epaType) {
        List<TargetRow> rows = new ArrayList<>();
        rows.add(new TargetRow("epa_partners", List.of("name"), Map.of("name", partnerName(epaType))));
        Map<String, String> plan = new LinkedHashMap<>();
        plan.put("epa_type", epaType);
        plan.put("partner_name", partnerName(epaType));
        plan.put("ncpdp_version", required(client, "version"));
        plan.put("gateway_id", required(client, "id"));
        rows.add(new TargetRow("epa_plans", List.of("epa_type"), plan));
        Map<String, String> auth = new LinkedHashMap<>();
        auth.put("epa_type", epaType);
        auth.put("incoming_username", ColumnMapping.text(client.get("incoming_username")));
        auth.put("outgoing_url", ColumnMapping.text(client.get("outgoing_url")));
        rows.add(new TargetRow("epa_auth_configs", List.of("epa_type"), auth));
        for (JsonNode certificate : client.path("client_certificates")) {
            Map<String, String> cert = new LinkedHashMap<>();
            cert.put("gateway_certificate_id", required(certificate, "id"));
            cert.put("epa_type", epaType);
            cert.put("direction", ColumnMapping.text(certificate.get("direction")));
            cert.put("fingerprint", ColumnMapping.text(certificate.get("fingerprint")));
            cert.put("expires_on", ColumnMapping.text(certificate.get("expires_on")));
            rows.add(new TargetRow("epa_certificates", List.of("gateway_certificate_id"), cert));
        }
        return rows;
    }

    static String partnerName(String epaType) {
        int underscore = epaType.indexOf('_');
        return underscore > 0 ? epaType.substring(0, underscore) : epaType;
    }

    private static String required(JsonNode node, String field) {
        String value = ColumnMapping.text(node.get(field));
        if (value == null || value.isEmpty()) {
            throw new RecordRejectedException("record has no '" + field + "'");
        }
        return value;
    }
}
