// The campaign scenario (tests/clients/campaigns.py) with the JAX-WS RI, as the Java
// samples on Marketo's getCampaignsForSource, requestCampaign and scheduleCampaign pages
// call them. Compiled with SyncMultipleLeads.java and Lists.java, whose helpers it uses.

import com.marketo.mktows.*;
import java.util.ArrayList;
import java.util.List;
import javax.xml.bind.JAXBElement;
import javax.xml.datatype.DatatypeFactory;
import javax.xml.ws.soap.SOAPFaultException;

public class Campaigns {

    static final String SECRET = System.getenv("LEADSYNC_SECRET");
    static final String EMAIL = System.getenv("LEADSYNC_PREFIX") + "-c@example.com";

    static ParamsRequestCampaign request(ObjectFactory f) {
        ParamsRequestCampaign request = new ParamsRequestCampaign();
        request.setSource(ReqCampSourceType.MKTOWS);
        ArrayOfLeadKey leads = new ArrayOfLeadKey();
        leads.getLeadKey().add(Lists.key(LeadKeyRef.EMAIL, EMAIL));
        request.setLeadList(f.createParamsRequestCampaignLeadList(leads));
        return request;
    }

    public static void main(String[] args) throws Exception {
        MktowsPort port = Lists.port();
        ObjectFactory f = new ObjectFactory();
        System.out.println("{\"step\": \"create\", \"ids\": " + Lists.created(port, f, EMAIL) + "}");

        ParamsGetCampaignsForSource forSource = new ParamsGetCampaignsForSource();
        forSource.setSource(ReqCampSourceType.MKTOWS);
        ResultGetCampaignsForSource listed = port.getCampaignsForSource(
                forSource, SyncMultipleLeads.header(SECRET)).getResult();
        List<String> campaigns = new ArrayList<>();
        JAXBElement<ArrayOfCampaignRecord> records = listed.getCampaignRecordList();
        if (records != null && records.getValue() != null) {
            for (CampaignRecord c : records.getValue().getCampaignRecord()) {
                campaigns.add("[" + c.getId() + ", " + SyncMultipleLeads.json(c.getName()) + ", "
                        + SyncMultipleLeads.json(c.getDescription()) + "]");
            }
        }
        System.out.println("{\"step\": \"for_source\", \"campaigns\": [" + String.join(", ", campaigns) + "]}");

        ParamsRequestCampaign byId = request(f);
        byId.setCampaignId(f.createParamsRequestCampaignCampaignId(1));
        boolean done = port.requestCampaign(byId, SyncMultipleLeads.header(SECRET)).getResult().isSuccess();
        System.out.println("{\"step\": \"by_id\", \"success\": " + done + "}");

        ParamsRequestCampaign byName = request(f);
        byName.setProgramName(f.createParamsRequestCampaignProgramName("Onboarding"));
        byName.setCampaignName(f.createParamsRequestCampaignCampaignName("Welcome"));
        ArrayOfAttrib tokens = new ArrayOfAttrib();
        Attrib token = new Attrib();
        token.setName("{{my.greeting}}");
        token.setValue("Hi");
        tokens.getAttrib().add(token);
        byName.setProgramTokenList(f.createParamsRequestCampaignProgramTokenList(tokens));
        done = port.requestCampaign(byName, SyncMultipleLeads.header(SECRET)).getResult().isSuccess();
        System.out.println("{\"step\": \"by_name\", \"success\": " + done + "}");

        ParamsScheduleCampaign schedule = new ParamsScheduleCampaign();
        schedule.setProgramName("Onboarding");
        schedule.setCampaignName("Monthly");
        schedule.setCampaignRunAt(f.createParamsScheduleCampaignCampaignRunAt(
                DatatypeFactory.newInstance().newXMLGregorianCalendar("2030-01-01T00:00:00Z")));
        done = port.scheduleCampaign(schedule, SyncMultipleLeads.header(SECRET)).getResult().isSuccess();
        System.out.println("{\"step\": \"schedule\", \"success\": " + done + "}");

        ParamsRequestCampaign batch = request(f);
        batch.setCampaignId(f.createParamsRequestCampaignCampaignId(2));
        try {
            port.requestCampaign(batch, SyncMultipleLeads.header(SECRET));
            throw new IllegalStateException("not_requestable: expected a SOAP fault");
        } catch (SOAPFaultException e) {
            System.out.println("{\"step\": \"not_requestable\", \"code\": "
                    + SyncMultipleLeads.json(Lists.code(e)) + "}");
        }
    }
}
