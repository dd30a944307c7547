// Runs Debezium's ExtractNewRecordState SMT, configured with the sink's `transforms.unwrap.*` keys
// (given as key=value arguments, prefix stripped), on the records a MySQL delete produces: the
// delete event and its tombstone, plus an update for contrast. Prints one line per input:
// `<input> dropped`, `<input> tombstone`, or `<input> value <field>=<value>,...` (fields in order).
import io.debezium.data.Envelope;
import io.debezium.transforms.ExtractNewRecordState;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

public class UnwrapProbe {
    public static void main(String[] args) {
        Map<String, String> config = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            config.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        Schema row = SchemaBuilder.struct().name("lifesci.sap.sap_orders.sales_orders.Value")
                .field("order_id", Schema.INT64_SCHEMA).field("status", Schema.OPTIONAL_STRING_SCHEMA).build();
        Schema key = SchemaBuilder.struct().name("lifesci.sap.sap_orders.sales_orders.Key").field("order_id", Schema.INT64_SCHEMA).build();
        Schema source = SchemaBuilder.struct().name("io.debezium.connector.mysql.Source")
                .field("db", Schema.STRING_SCHEMA).field("table", Schema.OPTIONAL_STRING_SCHEMA).build();
        Envelope envelope = Envelope.defineSchema().withName("lifesci.sap.sap_orders.sales_orders.Envelope")
                .withRecord(row).withSource(source).build();
        Struct src = new Struct(source).put("db", "sap_orders").put("table", "sales_orders");
        Struct k = new Struct(key).put("order_id", 42L);
        Struct before = new Struct(row).put("order_id", 42L).put("status", "OPEN");
        Struct after = new Struct(row).put("order_id", 42L).put("status", "SHIPPED");
        String topic = "lifesci.sap.sap_orders.sales_orders";
        Map<String, ?> partition = Map.of("server", "lifesci.sap");
        Map<String, ?> offset = Map.of("pos", 1);
        SourceRecord update = new SourceRecord(partition, offset, topic, 0, key, k, envelope.schema(), envelope.update(before, after, src, Instant.now()));
        SourceRecord delete = new SourceRecord(partition, offset, topic, 0, key, k, envelope.schema(), envelope.delete(after, src, Instant.now()));
        SourceRecord tombstone = new SourceRecord(partition, offset, topic, 0, key, k, null, null);

        try (ExtractNewRecordState<SourceRecord> smt = new ExtractNewRecordState<>()) {
            smt.configure(config);
            print("update", smt.apply(update));
            print("delete", smt.apply(delete));
            print("tombstone", smt.apply(tombstone));
        }
    }

    private static void print(String input, SourceRecord out) {
        if (out == null) {
            System.out.println(input + " dropped");
        } else if (out.value() == null) {
            System.out.println(input + " tombstone");
        } else {
            Struct value = (Struct) out.value();
            StringBuilder line = new StringBuilder(input).append(" value ");
            String sep = "";
            for (Field f : value.schema().fields()) {
                line.append(sep).append(f.name()).append('=').append(value.get(f));
                sep = ",";
            }
            System.out.println(line);
        }
    }
}
