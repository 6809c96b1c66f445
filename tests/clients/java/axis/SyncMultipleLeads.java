// The common client scenario (tests/clients/harness.py) with Apache Axis 1.4. The
// com.marketo.mktows stubs (locator, binding stub, beans) are generated at test time by
// `org.apache.axis.wsdl.WSDL2Java -p com.marketo.mktows` from leadsync's own ?WSDL.
// The WSDL's AuthenticationHeader is an implicit header (not in the operation signature), so
// it is set on the stub as a SOAPHeaderElement in the mktows namespace, as Axis users do.
// This file is kept ASCII-only: non-ASCII test values are written as \\u escapes.

import com.marketo.mktows.Attribute;
import com.marketo.mktows.LeadKey;
import com.marketo.mktows.LeadKeyRef;
import com.marketo.mktows.LeadRecord;
import com.marketo.mktows.MktMktowsApiServiceLocator;
import com.marketo.mktows.MktowsApiSoapBindingStub;
import com.marketo.mktows.ParamsGetLead;
import com.marketo.mktows.ParamsSyncMultipleLeads;
import com.marketo.mktows.SuccessGetLead;
import com.marketo.mktows.SuccessSyncMultipleLeads;
import com.marketo.mktows.SyncStatus;
import java.net.URL;
import java.text.DateFormat;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.xml.namespace.QName;
import org.apache.axis.AxisFault;
import org.apache.axis.message.SOAPHeaderElement;
import org.apache.commons.codec.binary.Hex;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

public class SyncMultipleLeads {

    static final String MKTOWS = "http://www.marketo.com/mktows/";
    static final String USER = System.getenv("LEADSYNC_USER");
    static final String SECRET = System.getenv("LEADSYNC_SECRET");
    static final String PREFIX = System.getenv("LEADSYNC_PREFIX");

    public static void main(String[] args) throws Exception {
        // Step 1: the locator loads and parses leadsync's WSDL.
        MktMktowsApiServiceLocator locator = new MktMktowsApiServiceLocator(
                System.getenv("LEADSYNC_WSDL"), new QName(MKTOWS, "MktMktowsApiService"));
        MktowsApiSoapBindingStub stub = (MktowsApiSoapBindingStub)
                locator.getMktowsApiSoapPort(new URL(System.getenv("LEADSYNC_ENDPOINT")));

        LeadRecord[] leads = {
            record(PREFIX + "-1@example.com",
                    "FirstName", "Zo\u00eb",
                    "Company", "Acme & Co <east>",
                    "NumberOfEmployees", "42"),
            record(PREFIX + "-2@example.com",
                    "FirstName", "\u00c5lesund \u2603",
                    "Phone", "650-555-1000"),
        };
        ParamsSyncMultipleLeads request = new ParamsSyncMultipleLeads(leads, Boolean.TRUE);

        for (String step : new String[] {"create", "update"}) {
            sign(stub, SECRET);
            SuccessSyncMultipleLeads result = stub.syncMultipleLeads(request);
            System.out.println("{\"step\": " + json(step) + ", \"statuses\": "
                    + statuses(result.getResult().getSyncStatusList()) + "}");
        }

        try {
            sign(stub, "wrong-" + SECRET);
            stub.syncMultipleLeads(request);
            throw new IllegalStateException("wrong_key: expected a SOAP fault");
        } catch (AxisFault e) {
            System.out.println("{\"step\": \"wrong_key\", \"fault\": " + fault(e) + "}");
        }

        LeadRecord[] bulk = new LeadRecord[301];
        for (int i = 0; i < bulk.length; i++) {
            bulk[i] = new LeadRecord();
            bulk[i].setEmail(PREFIX + "-bulk-" + i + "@example.com");
        }
        try {
            sign(stub, SECRET);
            stub.syncMultipleLeads(new ParamsSyncMultipleLeads(bulk, Boolean.TRUE));
            throw new IllegalStateException("too_many: expected a SOAP fault");
        } catch (AxisFault e) {
            System.out.println("{\"step\": \"too_many\", \"fault\": " + fault(e) + "}");
        }

        List<String> read = new ArrayList<>();
        for (LeadRecord sent : leads) {
            sign(stub, SECRET);
            SuccessGetLead found = stub.getLead(
                    new ParamsGetLead(new LeadKey(LeadKeyRef.EMAIL, sent.getEmail())));
            LeadRecord[] records = found.getResult().getLeadRecordList();
            if (records == null) {
                throw new IllegalStateException("read_back: no leadRecordList for " + sent.getEmail());
            }
            for (LeadRecord rec : records) {
                read.add(lead(rec));
            }
        }
        System.out.println("{\"step\": \"read_back\", \"leads\": [" + String.join(", ", read) + "]}");
    }

    /** One lead read back, as the Axis beans hold it. */
    static String lead(LeadRecord rec) {
        List<String> attributes = new ArrayList<>();
        if (rec.getLeadAttributeList() != null) {
            for (Attribute attr : rec.getLeadAttributeList()) {
                attributes.add(json(attr.getAttrName()) + ": " + json(attr.getAttrValue()));
            }
        }
        return "{\"Id\": " + rec.getId() + ", \"Email\": " + json(rec.getEmail())
                + ", \"attributes\": {" + String.join(", ", attributes) + "}}";
    }

    static LeadRecord record(String email, String... pairs) {
        Attribute[] attributes = new Attribute[pairs.length / 2];
        for (int i = 0; i < attributes.length; i++) {
            attributes[i] = new Attribute();
            attributes[i].setAttrName(pairs[2 * i]);
            attributes[i].setAttrValue(pairs[2 * i + 1]);
        }
        LeadRecord rec = new LeadRecord();
        rec.setEmail(email);
        rec.setLeadAttributeList(attributes);
        return rec;
    }

    /** Replace the stub's AuthenticationHeader with a freshly signed one. */
    static void sign(MktowsApiSoapBindingStub stub, String key) throws Exception {
        DateFormat df = new SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ssZ");
        String text = df.format(new Date());
        String requestTimestamp = text.substring(0, 22) + ":" + text.substring(22);

        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(key.getBytes("UTF-8"), "HmacSHA1"));
        String signature = new String(Hex.encodeHex(mac.doFinal((requestTimestamp + USER).getBytes("UTF-8"))));

        SOAPHeaderElement header = new SOAPHeaderElement(MKTOWS, "AuthenticationHeader");
        header.addChildElement("mktowsUserId").addTextNode(USER);
        header.addChildElement("requestSignature").addTextNode(signature);
        header.addChildElement("requestTimestamp").addTextNode(requestTimestamp);
        stub.clearHeaders();
        stub.setHeader(header);
    }

    static String statuses(SyncStatus[] list) {
        List<String> items = new ArrayList<>();
        for (SyncStatus s : list) {
            items.add("{\"leadId\": " + s.getLeadId() + ", \"status\": " + json(s.getStatus().getValue())
                    + ", \"error\": " + json(s.getError()) + "}");
        }
        return "[" + String.join(", ", items) + "]";
    }

    /** faultstring and detail code, both read from the AxisFault itself. */
    static String fault(AxisFault e) {
        String code = null;
        Element[] details = e.getFaultDetails();
        for (int i = 0; code == null && details != null && i < details.length; i++) {
            code = childText(details[i], "code");
        }
        if (code == null) {
            throw new IllegalStateException("fault without a detail code: " + e.getFaultString(), e);
        }
        return "{\"faultstring\": " + json(e.getFaultString()) + ", \"code\": " + json(code) + "}";
    }

    static String childText(Node parent, String localName) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeType() == Node.ELEMENT_NODE && localName.equals(n.getLocalName())) {
                return n.getTextContent().trim();
            }
        }
        return null;
    }

    static String json(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
