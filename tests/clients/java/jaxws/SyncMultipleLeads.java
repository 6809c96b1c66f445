// The common client scenario (tests/clients/harness.py) with the JAX-WS RI, written like the
// Java sample on Marketo's syncMultipleLeads page. The com.marketo.mktows stubs are generated
// by `wsimport -XadditionalHeaders -p com.marketo.mktows` from leadsync's own ?WSDL at test time.
// This file is kept ASCII-only: non-ASCII test values are written as \\u escapes.

import com.marketo.mktows.*;
import java.net.URL;
import java.text.DateFormat;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.xml.bind.JAXBElement;
import javax.xml.namespace.QName;
import javax.xml.soap.Detail;
import javax.xml.soap.SOAPFault;
import javax.xml.ws.BindingProvider;
import javax.xml.ws.soap.SOAPFaultException;
import org.apache.commons.codec.binary.Hex;
import org.w3c.dom.Node;

public class SyncMultipleLeads {

    static final String MKTOWS = "http://www.marketo.com/mktows/";
    static final String USER = System.getenv("LEADSYNC_USER");
    static final String SECRET = System.getenv("LEADSYNC_SECRET");
    static final String PREFIX = System.getenv("LEADSYNC_PREFIX");

    public static void main(String[] args) throws Exception {
        System.err.println("Executing syncMultipleLeads");
        URL marketoSoapEndPoint = new URL(System.getenv("LEADSYNC_WSDL"));
        QName serviceName = new QName(MKTOWS, "MktMktowsApiService");
        MktMktowsApiService service = new MktMktowsApiService(marketoSoapEndPoint, serviceName);
        MktowsPort port = service.getMktowsApiSoapPort();
        ((BindingProvider) port).getRequestContext().put(
                BindingProvider.ENDPOINT_ADDRESS_PROPERTY, System.getenv("LEADSYNC_ENDPOINT"));

        ObjectFactory objectFactory = new ObjectFactory();
        ParamsSyncMultipleLeads request = new ParamsSyncMultipleLeads();
        request.setDedupEnabled(objectFactory.createParamsSyncMultipleLeadsDedupEnabled(true));
        ArrayOfLeadRecord arrayOfLeadRecords = new ArrayOfLeadRecord();
        arrayOfLeadRecords.getLeadRecord().add(record(objectFactory, PREFIX + "-1@example.com",
                "FirstName", "Zo\u00eb",
                "Company", "Acme & Co <east>",
                "NumberOfEmployees", "42"));
        arrayOfLeadRecords.getLeadRecord().add(record(objectFactory, PREFIX + "-2@example.com",
                "FirstName", "\u00c5lesund \u2603",
                "Phone", "650-555-1000"));
        request.setLeadRecordList(arrayOfLeadRecords);

        for (String step : new String[] {"create", "update"}) {
            SuccessSyncMultipleLeads result = port.syncMultipleLeads(request, header(SECRET));
            System.out.println("{\"step\": " + json(step) + ", \"statuses\": "
                    + statuses(result.getResult().getSyncStatusList().getSyncStatus()) + "}");
        }

        try {
            port.syncMultipleLeads(request, header("wrong-" + SECRET));
            throw new IllegalStateException("wrong_key: expected a SOAP fault");
        } catch (SOAPFaultException e) {
            System.out.println("{\"step\": \"wrong_key\", \"fault\": " + fault(e) + "}");
        }

        ParamsSyncMultipleLeads bulk = new ParamsSyncMultipleLeads();
        bulk.setDedupEnabled(objectFactory.createParamsSyncMultipleLeadsDedupEnabled(true));
        ArrayOfLeadRecord bulkRecords = new ArrayOfLeadRecord();
        for (int i = 0; i <= 300; i++) {
            LeadRecord rec = new LeadRecord();
            rec.setEmail(objectFactory.createLeadRecordEmail(PREFIX + "-bulk-" + i + "@example.com"));
            bulkRecords.getLeadRecord().add(rec);
        }
        bulk.setLeadRecordList(bulkRecords);
        try {
            port.syncMultipleLeads(bulk, header(SECRET));
            throw new IllegalStateException("too_many: expected a SOAP fault");
        } catch (SOAPFaultException e) {
            System.out.println("{\"step\": \"too_many\", \"fault\": " + fault(e) + "}");
        }

        List<String> leads = new ArrayList<>();
        for (String email : new String[] {PREFIX + "-1@example.com", PREFIX + "-2@example.com"}) {
            LeadKey leadKey = new LeadKey();
            leadKey.setKeyType(LeadKeyRef.EMAIL);
            leadKey.setKeyValue(email);
            ParamsGetLead paramsGetLead = new ParamsGetLead();
            paramsGetLead.setLeadKey(leadKey);
            SuccessGetLead found = port.getLead(paramsGetLead, header(SECRET));
            ArrayOfLeadRecord records = value(found.getResult().getLeadRecordList());
            if (records == null) {
                throw new IllegalStateException("read_back: no leadRecordList for " + email);
            }
            for (LeadRecord rec : records.getLeadRecord()) {
                leads.add(lead(rec));
            }
        }
        System.out.println("{\"step\": \"read_back\", \"leads\": [" + String.join(", ", leads) + "]}");
    }

    /** One lead read back, as the stub objects hold it. */
    static String lead(LeadRecord rec) {
        Integer id = value(rec.getId());
        List<String> attributes = new ArrayList<>();
        ArrayOfAttribute list = value(rec.getLeadAttributeList());
        if (list != null) {
            for (Attribute attr : list.getAttribute()) {
                attributes.add(json(attr.getAttrName()) + ": " + json(attr.getAttrValue()));
            }
        }
        return "{\"Id\": " + id + ", \"Email\": " + json(value(rec.getEmail()))
                + ", \"attributes\": {" + String.join(", ", attributes) + "}}";
    }

    /** The value of a nillable element: null when absent or xsi:nil. */
    static <T> T value(JAXBElement<T> element) {
        return element == null || element.isNil() ? null : element.getValue();
    }

    /** A lead record built the way the vendor sample builds it, quirks included. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static LeadRecord record(ObjectFactory objectFactory, String email, String... pairs) {
        LeadRecord rec = new LeadRecord();
        JAXBElement<String> emailElement = objectFactory.createLeadRecordEmail(email);
        rec.setEmail(emailElement);
        ArrayOfAttribute aoa = new ArrayOfAttribute();
        for (int i = 0; i < pairs.length; i += 2) {
            Attribute attr = new Attribute();
            attr.setAttrName(pairs[i]);
            attr.setAttrValue(pairs[i + 1]);
            aoa.getAttribute().add(attr);
        }
        // Exactly as the sample: a *qualified* leadAttributeList, although the schema's
        // local elements are unqualified. The server must accept it.
        QName qname = new QName(MKTOWS, "leadAttributeList");
        JAXBElement<ArrayOfAttribute> attrList = new JAXBElement(qname, ArrayOfAttribute.class, aoa);
        rec.setLeadAttributeList(attrList);
        return rec;
    }

    /** A fresh AuthenticationHeader, timestamp and signature as in the vendor sample. */
    static AuthenticationHeaderInfo header(String key) throws Exception {
        DateFormat df = new SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ssZ");
        String text = df.format(new Date());
        String requestTimestamp = text.substring(0, 22) + ":" + text.substring(22);
        String encryptString = requestTimestamp + USER;

        SecretKeySpec secretKey = new SecretKeySpec(key.getBytes("UTF-8"), "HmacSHA1");
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(secretKey);
        byte[] rawHmac = mac.doFinal(encryptString.getBytes("UTF-8"));
        char[] hexChars = Hex.encodeHex(rawHmac);
        String signature = new String(hexChars);

        AuthenticationHeaderInfo header = new AuthenticationHeaderInfo();
        header.setMktowsUserId(USER);
        header.setRequestTimestamp(requestTimestamp);
        header.setRequestSignature(signature);
        return header;
    }

    static String statuses(List<SyncStatus> list) {
        List<String> items = new ArrayList<>();
        for (SyncStatus s : list) {
            String error = s.getError() == null ? null : s.getError().getValue();
            items.add("{\"leadId\": " + s.getLeadId() + ", \"status\": " + json(s.getStatus().value())
                    + ", \"error\": " + json(error) + "}");
        }
        return "[" + String.join(", ", items) + "]";
    }

    /** faultstring and detail code, both read from the client's own fault object. */
    static String fault(SOAPFaultException e) {
        SOAPFault soapFault = e.getFault();
        Detail detail = soapFault.getDetail();
        if (detail == null) {
            throw new IllegalStateException("fault without detail: " + soapFault.getFaultString());
        }
        String code = null;
        Iterator<?> entries = detail.getDetailEntries();
        while (code == null && entries.hasNext()) {
            code = childText((Node) entries.next(), "code");
        }
        return "{\"faultstring\": " + json(soapFault.getFaultString()) + ", \"code\": " + json(code) + "}";
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
