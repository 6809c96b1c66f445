// The list scenario (tests/clients/lists.py) with the JAX-WS RI, as the Java sample on
// Marketo's listOperation page calls it. Compiled with SyncMultipleLeads.java, whose
// header(), fault() and json() it uses.

import com.marketo.mktows.*;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import javax.xml.bind.JAXBElement;
import javax.xml.namespace.QName;
import javax.xml.ws.BindingProvider;
import javax.xml.ws.soap.SOAPFaultException;

public class Lists {

    static final String SECRET = System.getenv("LEADSYNC_SECRET");
    static final String PREFIX = System.getenv("LEADSYNC_PREFIX");

    static MktowsPort port() throws Exception {
        URL wsdl = new URL(System.getenv("LEADSYNC_WSDL"));
        MktMktowsApiService service = new MktMktowsApiService(
                wsdl, new QName(SyncMultipleLeads.MKTOWS, "MktMktowsApiService"));
        MktowsPort port = service.getMktowsApiSoapPort();
        ((BindingProvider) port).getRequestContext().put(
                BindingProvider.ENDPOINT_ADDRESS_PROPERTY, System.getenv("LEADSYNC_ENDPOINT"));
        return port;
    }

    static String created(MktowsPort port, ObjectFactory f, String... emails) throws Exception {
        ParamsSyncMultipleLeads request = new ParamsSyncMultipleLeads();
        request.setDedupEnabled(f.createParamsSyncMultipleLeadsDedupEnabled(true));
        ArrayOfLeadRecord records = new ArrayOfLeadRecord();
        for (String email : emails) {
            LeadRecord rec = new LeadRecord();
            rec.setEmail(f.createLeadRecordEmail(email));
            records.getLeadRecord().add(rec);
        }
        request.setLeadRecordList(records);
        SuccessSyncMultipleLeads result = port.syncMultipleLeads(request, SyncMultipleLeads.header(SECRET));
        List<String> ids = new ArrayList<>();
        for (SyncStatus s : result.getResult().getSyncStatusList().getSyncStatus()) {
            ids.add(String.valueOf(s.getLeadId()));
        }
        return "[" + String.join(", ", ids) + "]";
    }

    static LeadKey key(LeadKeyRef type, String value) {
        LeadKey key = new LeadKey();
        key.setKeyType(type);
        key.setKeyValue(value);
        return key;
    }

    static String operate(MktowsPort port, ObjectFactory f, String step, ListOperationType operation,
            String listName, LeadKey... keys) throws Exception {
        ParamsListOperation request = new ParamsListOperation();
        request.setListOperation(operation);
        ListKey listKey = new ListKey();
        listKey.setKeyType(ListKeyType.MKTOLISTNAME);
        listKey.setKeyValue(listName);
        request.setListKey(listKey);
        ArrayOfLeadKey members = new ArrayOfLeadKey();
        for (LeadKey key : keys) {
            members.getLeadKey().add(key);
        }
        request.setListMemberList(members);
        request.setStrict(f.createParamsListOperationStrict(false));
        SuccessListOperation answer = port.listOperation(request, SyncMultipleLeads.header(SECRET));
        ResultListOperation result = answer.getResult();
        JAXBElement<ArrayOfLeadStatus> listed = result.getStatusList();
        String statuses = "null";
        if (listed != null && !listed.isNil() && listed.getValue() != null) {
            List<String> items = new ArrayList<>();
            for (LeadStatus s : listed.getValue().getLeadStatus()) {
                items.add("[" + SyncMultipleLeads.json(s.getLeadKey().getKeyType().value()) + ", "
                        + SyncMultipleLeads.json(s.getLeadKey().getKeyValue()) + ", " + s.isStatus() + "]");
            }
            statuses = "[" + String.join(", ", items) + "]";
        }
        return "{\"step\": \"" + step + "\", \"success\": " + result.isSuccess() + ", \"statuses\": "
                + statuses + "}";
    }

    public static void main(String[] args) throws Exception {
        MktowsPort port = port();
        ObjectFactory f = new ObjectFactory();
        System.out.println("{\"step\": \"create\", \"ids\": "
                + created(port, f, PREFIX + "-a@example.com", PREFIX + "-b@example.com") + "}");
        System.out.println(operate(port, f, "add", ListOperationType.ADDTOLIST, "Newsletter",
                key(LeadKeyRef.IDNUM, "1"), key(LeadKeyRef.EMAIL, PREFIX + "-b@example.com")));
        System.out.println(operate(port, f, "is_member", ListOperationType.ISMEMBEROFLIST, "Newsletter",
                key(LeadKeyRef.IDNUM, "1"), key(LeadKeyRef.IDNUM, "999999")));
        System.out.println(operate(port, f, "remove", ListOperationType.REMOVEFROMLIST, "Newsletter",
                key(LeadKeyRef.IDNUM, "1")));
        System.out.println(operate(port, f, "remove_again", ListOperationType.REMOVEFROMLIST,
                "Newsletter", key(LeadKeyRef.IDNUM, "1")));
        try {
            operate(port, f, "x", ListOperationType.ADDTOLIST, "Nope", key(LeadKeyRef.IDNUM, "1"));
            throw new IllegalStateException("unknown_list: expected a SOAP fault");
        } catch (SOAPFaultException e) {
            System.out.println("{\"step\": \"unknown_list\", \"code\": "
                    + SyncMultipleLeads.json(code(e)) + "}");
        }
    }

    static String code(SOAPFaultException e) {
        javax.xml.soap.Detail detail = e.getFault().getDetail();
        java.util.Iterator<?> entries = detail.getDetailEntries();
        while (entries.hasNext()) {
            String code = SyncMultipleLeads.childText((org.w3c.dom.Node) entries.next(), "code");
            if (code != null) {
                return code;
            }
        }
        return null;
    }
}
