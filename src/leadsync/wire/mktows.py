"""The mktows interface (API version 2_2), as data: every type, element and operation.

Transcribed from Marketo's published 2_2 WSDL so that stubs generated from either WSDL
see the same interface. Nothing here is XML; ``wire/wsdl.py`` renders it.
"""

from __future__ import annotations

from leadsync.wire.xsd import (
    AUTH,
    CONTEXT,
    ComplexType,
    Element,
    GlobalElement,
    Operation,
    SimpleType,
)

SIMPLE_TYPES: tuple[SimpleType, ...] = (
    SimpleType(
        "LeadKeyRef",
        (
            "IDNUM",
            "COOKIE",
            "EMAIL",
            "LEADOWNEREMAIL",
            "SFDCACCOUNTID",
            "SFDCCONTACTID",
            "SFDCLEADID",
            "SFDCLEADOWNERID",
            "SFDCOPPTYID",
        ),
    ),
    SimpleType(
        "LeadSyncStatus",
        (
            "CREATED",
            "UPDATED",
            "FAILED",
        ),
    ),
    SimpleType(
        "ActivityType",
        (
            "VisitWebpage",
            "FillOutForm",
            "ClickLink",
            "SendEmail",
            "EmailDelivered",
            "EmailBounced",
            "UnsubscribeEmail",
            "OpenEmail",
            "ClickEmail",
            "NewLead",
            "ChangeDataValue",
            "LeadAssigned",
            "NewSFDCOpprtnty",
            "Wait",
            "RunSubflow",
            "RemoveFromFlow",
            "PushLeadToSales",
            "CreateTask",
            "ConvertLead",
            "ChangeScore",
            "ChangeOwner",
            "AddToList",
            "RemoveFromList",
            "SFDCActivity",
            "EmailBouncedSoft",
            "PushLeadUpdatesToSales",
            "DeleteLeadFromSales",
            "SFDCActivityUpdated",
            "SFDCMergeLeads",
            "MergeLeads",
            "ResolveConflicts",
            "AssocWithOpprtntyInSales",
            "DissocFromOpprtntyInSales",
            "UpdateOpprtntyInSales",
            "DeleteLead",
            "SendAlert",
            "SendSalesEmail",
            "OpenSalesEmail",
            "ClickSalesEmail",
            "AddtoSFDCCampaign",
            "RemoveFromSFDCCampaign",
            "ChangeStatusInSFDCCampaign",
            "ReceiveSalesEmail",
            "InterestingMoment",
            "RequestCampaign",
            "SalesEmailBounced",
            "ChangeLeadPartition",
            "ChangeRevenueStage",
            "ChangeRevenueStageManually",
            "ComputeDataValue",
            "ChangeStatusInProgression",
            "ChangeFieldInProgram",
            "EnrichWithDatacom",
            "ChangeSegment",
            "ResolveRuleset",
            "SmartCampaignTest",
            "SmartCampaignTestTrigger",
        ),
    ),
    SimpleType(
        "ForeignSysType",
        (
            "CUSTOM",
            "SFDC",
            "NETSUITE",
        ),
    ),
    SimpleType(
        "ReqCampSourceType",
        (
            "MKTOWS",
            "SALES",
        ),
    ),
    SimpleType(
        "ListKeyType",
        (
            "MKTOLISTNAME",
            "MKTOSALESUSERID",
            "SFDCLEADOWNERID",
        ),
    ),
    SimpleType(
        "ListOperationType",
        (
            "ADDTOLIST",
            "ISMEMBEROFLIST",
            "REMOVEFROMLIST",
        ),
    ),
    SimpleType(
        "SyncOperationEnum",
        (
            "UPSERT",
            "INSERT",
            "UPDATE",
        ),
    ),
    SimpleType(
        "SyncStatusEnum",
        (
            "CREATED",
            "UPDATED",
            "DELETED",
            "FAILED",
        ),
    ),
    SimpleType(
        "LeadMergeStatusEnum",
        (
            "MERGED",
            "FAILED",
        ),
    ),
    SimpleType(
        "MObjStatusEnum",
        (
            "CREATED",
            "UPDATED",
            "DELETED",
            "FAILED",
            "UNCHANGED",
            "SKIPPED",
        ),
    ),
    SimpleType(
        "MObjectTypeEnum",
        (
            "Opportunity",
            "OpportunityLeadRole",
            "Program",
        ),
    ),
    SimpleType(
        "ComparisonEnum",
        (
            "EQ",
            "NE",
            "LT",
            "LE",
            "GT",
            "GE",
        ),
    ),
    SimpleType(
        "ImportToListStatusEnum",
        (
            "PROCESSING",
            "COMPLETE",
            "FAILED",
            "CANCELED",
        ),
    ),
    SimpleType(
        "ImportToListModeEnum",
        (
            "UPSERTLEADS",
            "LISTONLY",
        ),
    ),
)

COMPLEX_TYPES: tuple[ComplexType, ...] = (
    ComplexType(
        "ArrayOfString", (Element("stringItem", "xs:string", min_occurs=0, max_occurs=None),)
    ),
    ComplexType(
        "ArrayOfInteger", (Element("integerItem", "xs:int", min_occurs=0, max_occurs=None),)
    ),
    ComplexType(
        "ArrayOfActivityType",
        (Element("activityType", "tns:ActivityType", min_occurs=0, max_occurs=None),),
    ),
    ComplexType(
        "ActivityTypeFilter",
        (
            Element("includeTypes", "tns:ArrayOfActivityType", min_occurs=0),
            Element("excludeTypes", "tns:ArrayOfActivityType", min_occurs=0),
        ),
    ),
    ComplexType(
        "Attrib",
        (
            Element("name", "xs:string"),
            Element("value", "xs:string"),
        ),
    ),
    ComplexType("ArrayOfAttrib", (Element("attrib", "tns:Attrib", min_occurs=0, max_occurs=None),)),
    ComplexType(
        "Attribute",
        (
            Element("attrName", "xs:string"),
            Element("attrType", "xs:string", min_occurs=0, nillable=True),
            Element("attrValue", "xs:string"),
        ),
    ),
    ComplexType(
        "ArrayOfAttribute", (Element("attribute", "tns:Attribute", min_occurs=0, max_occurs=None),)
    ),
    ComplexType(
        "TypeAttrib",
        (
            Element("attrType", "xs:string"),
            Element("attrList", "tns:ArrayOfAttrib", min_occurs=0),
        ),
    ),
    ComplexType(
        "ArrayOfTypeAttrib",
        (Element("typeAttrib", "tns:TypeAttrib", min_occurs=0, max_occurs=None),),
    ),
    ComplexType(
        "ArrayOfKeyList",
        (Element("keyList", "tns:ArrayOfAttribute", min_occurs=0, max_occurs=None),),
    ),
    ComplexType(
        "LeadRecord",
        (
            Element("Id", "xs:int", min_occurs=0, nillable=True),
            Element("Email", "xs:string", min_occurs=0, nillable=True),
            Element("ForeignSysPersonId", "xs:string", min_occurs=0, nillable=True),
            Element("ForeignSysType", "tns:ForeignSysType", min_occurs=0, nillable=True),
            Element("leadAttributeList", "tns:ArrayOfAttribute", min_occurs=0, nillable=True),
        ),
    ),
    ComplexType(
        "ArrayOfLeadRecord",
        (Element("leadRecord", "tns:LeadRecord", min_occurs=0, max_occurs=None),),
    ),
    ComplexType(
        "ActivityRecord",
        (
            Element("id", "xs:int"),
            Element("activityDateTime", "xs:dateTime"),
            Element("activityType", "xs:string"),
            Element("mktgAssetName", "xs:string", min_occurs=0),
            Element("activityAttributes", "tns:ArrayOfAttribute", min_occurs=0, nillable=True),
            Element("campaign", "xs:string", min_occurs=0, nillable=True),
            Element("personName", "xs:string", min_occurs=0, nillable=True),
            Element("mktPersonId", "xs:string"),
            Element("foreignSysId", "xs:string", min_occurs=0, nillable=True),
            Element("orgName", "xs:string", min_occurs=0, nillable=True),
            Element("foreignSysOrgId", "xs:string", min_occurs=0, nillable=True),
        ),
    ),
    ComplexType(
        "CampaignRecord",
        (
            Element("id", "xs:int"),
            Element("name", "xs:string"),
            Element("description", "xs:string"),
        ),
    ),
    ComplexType(
        "ArrayOfCampaignRecord",
        (Element("campaignRecord", "tns:CampaignRecord", min_occurs=0, max_occurs=None),),
    ),
    ComplexType(
        "LeadChangeRecord",
        (
            Element("id", "xs:int"),
            Element("activityDateTime", "xs:dateTime"),
            Element("activityType", "xs:string"),
            Element("mktgAssetName", "xs:string", min_occurs=0, nillable=True),
            Element("activityAttributes", "tns:ArrayOfAttribute", min_occurs=0, nillable=True),
            Element("campaign", "xs:string", min_occurs=0),
            Element("mktPersonId", "xs:string"),
        ),
    ),
    ComplexType(
        "ArrayOfLeadChangeRecord",
        (Element("leadChangeRecord", "tns:LeadChangeRecord", min_occurs=0, max_occurs=None),),
    ),
    ComplexType(
        "ArrayOfActivityRecord",
        (Element("activityRecord", "tns:ActivityRecord", min_occurs=0, max_occurs=None),),
    ),
    ComplexType(
        "LeadKey",
        (
            Element("keyType", "tns:LeadKeyRef"),
            Element("keyValue", "xs:string"),
        ),
    ),
    ComplexType(
        "ArrayOfLeadKey", (Element("leadKey", "tns:LeadKey", min_occurs=0, max_occurs=None),)
    ),
    ComplexType(
        "LeadStatus",
        (
            Element("leadKey", "tns:LeadKey"),
            Element("status", "xs:boolean"),
        ),
    ),
    ComplexType(
        "ArrayOfLeadStatus",
        (Element("leadStatus", "tns:LeadStatus", min_occurs=0, max_occurs=None),),
    ),
    ComplexType(
        "ListKey",
        (
            Element("keyType", "tns:ListKeyType"),
            Element("keyValue", "xs:string"),
        ),
    ),
    ComplexType(
        "MObject",
        (
            Element("type", "xs:string"),
            Element("id", "xs:int", min_occurs=0),
            Element("externalKey", "tns:Attrib", min_occurs=0),
            Element("createdAt", "xs:dateTime", min_occurs=0),
            Element("updatedAt", "xs:dateTime", min_occurs=0),
            Element("attribList", "tns:ArrayOfAttrib", min_occurs=0),
            Element("typeAttribList", "tns:ArrayOfTypeAttrib", min_occurs=0),
            Element("associationList", "tns:ArrayOfMObjAssociation", min_occurs=0),
        ),
    ),
    ComplexType(
        "ArrayOfMObject", (Element("mObject", "tns:MObject", min_occurs=0, max_occurs=None),)
    ),
    ComplexType(
        "MObjAssociation",
        (
            Element("mObjType", "xs:string"),
            Element("id", "xs:int", min_occurs=0),
            Element("externalKey", "tns:Attrib", min_occurs=0),
        ),
    ),
    ComplexType(
        "ArrayOfMObjAssociation",
        (Element("mObjAssociation", "tns:MObjAssociation", min_occurs=0, max_occurs=None),),
    ),
    ComplexType(
        "MObjStatus",
        (
            Element("id", "xs:int"),
            Element("externalKey", "tns:Attrib", min_occurs=0),
            Element("status", "tns:MObjStatusEnum"),
            Element("error", "xs:string", min_occurs=0),
        ),
    ),
    ComplexType(
        "ArrayOfMObjStatus",
        (Element("mObjStatus", "tns:MObjStatus", min_occurs=0, max_occurs=None),),
    ),
    ComplexType(
        "MObjCriteria",
        (
            Element("attrName", "xs:string"),
            Element("comparison", "tns:ComparisonEnum"),
            Element("attrValue", "xs:anySimpleType"),
        ),
    ),
    ComplexType(
        "ArrayOfMObjCriteria",
        (Element("mObjCriteria", "tns:MObjCriteria", min_occurs=0, max_occurs=None),),
    ),
    ComplexType(
        "MObjectMetadata",
        (
            Element("name", "xs:string"),
            Element("description", "xs:string", nillable=True),
            Element("isCustom", "xs:boolean"),
            Element("isVirtual", "xs:boolean"),
            Element("fieldList", "tns:ArrayOfMObjFieldMetadata"),
            Element("updatedAt", "xs:dateTime"),
        ),
    ),
    ComplexType(
        "MObjFieldMetadata",
        (
            Element("name", "xs:string"),
            Element("description", "xs:string", nillable=True),
            Element("displayName", "xs:string", nillable=True),
            Element("sourceObject", "xs:string", nillable=True),
            Element("dataType", "xs:string"),
            Element("size", "xs:int", nillable=True),
            Element("isReadonly", "xs:boolean"),
            Element("isUpdateBlocked", "xs:boolean"),
            Element("isName", "xs:boolean", nillable=True),
            Element("isPrimaryKey", "xs:boolean"),
            Element("isCustom", "xs:boolean"),
            Element("isDynamic", "xs:boolean"),
            Element("dynamicFieldRef", "xs:string", nillable=True),
            Element("updatedAt", "xs:dateTime"),
        ),
    ),
    ComplexType(
        "ArrayOfMObjFieldMetadata",
        (Element("field", "tns:MObjFieldMetadata", min_occurs=0, max_occurs=None),),
    ),
    ComplexType(
        "StreamPosition",
        (
            Element("latestCreatedAt", "xs:dateTime", min_occurs=0, nillable=True),
            Element("oldestCreatedAt", "xs:dateTime", min_occurs=0, nillable=True),
            Element("activityCreatedAt", "xs:dateTime", min_occurs=0, nillable=True),
            Element("offset", "xs:string", min_occurs=0, nillable=True),
        ),
    ),
    ComplexType(
        "SyncStatus",
        (
            Element("leadId", "xs:int"),
            Element("status", "tns:LeadSyncStatus"),
            Element("error", "xs:string", min_occurs=0, nillable=True),
        ),
    ),
    ComplexType(
        "ArrayOfSyncStatus",
        (Element("syncStatus", "tns:SyncStatus", min_occurs=0, max_occurs=None),),
    ),
    ComplexType(
        "ArrayOfBase64Binary",
        (Element("base64Binary", "xs:base64Binary", min_occurs=0, max_occurs=None),),
    ),
    ComplexType(
        "VersionedItem",
        (
            Element("id", "xs:integer"),
            Element("name", "xs:string"),
            Element("type", "xs:string", min_occurs=0, nillable=True),
            Element("description", "xs:string", min_occurs=0, nillable=True),
            Element("timestamp", "xs:dateTime"),
        ),
    ),
    ComplexType(
        "ArrayOfVersionedItem",
        (Element("versionedItem", "tns:VersionedItem", min_occurs=0, max_occurs=None),),
    ),
    ComplexType(
        "CustomObj",
        (
            Element("customObjKeyList", "tns:ArrayOfAttribute", min_occurs=0, nillable=True),
            Element("customObjAttributeList", "tns:ArrayOfAttribute", min_occurs=0, nillable=True),
        ),
    ),
    ComplexType(
        "ArrayOfCustomObj", (Element("customObj", "tns:CustomObj", min_occurs=0, max_occurs=None),)
    ),
    ComplexType(
        "SyncCustomObjStatus",
        (
            Element("objTypeName", "xs:string"),
            Element("customObjKeyList", "tns:ArrayOfAttribute", min_occurs=0, nillable=True),
            Element("status", "tns:SyncStatusEnum"),
            Element("error", "xs:string", min_occurs=0, nillable=True),
        ),
    ),
    ComplexType(
        "ArrayOfSyncCustomObjStatus",
        (Element("syncCustomObjStatus", "tns:SyncCustomObjStatus", min_occurs=0, max_occurs=None),),
    ),
    ComplexType(
        "MergeStatus",
        (
            Element("winningLeadId", "xs:int", min_occurs=0, nillable=True),
            Element("losingLeadIdList", "tns:ArrayOfInteger", min_occurs=0, nillable=True),
            Element("status", "tns:LeadMergeStatusEnum"),
            Element("error", "xs:string", min_occurs=0, nillable=True),
        ),
    ),
    ComplexType("LeadSelector", (), abstract=True),
    ComplexType(
        "LastUpdateAtSelector",
        (
            Element("latestUpdatedAt", "xs:dateTime", min_occurs=0, nillable=True),
            Element("oldestUpdatedAt", "xs:dateTime"),
        ),
        base="tns:LeadSelector",
    ),
    ComplexType(
        "StaticListSelector",
        (
            Element("staticListName", "xs:string", min_occurs=0, nillable=True),
            Element("staticListId", "xs:int", min_occurs=0, nillable=True),
        ),
        base="tns:LeadSelector",
    ),
    ComplexType(
        "LeadKeySelector",
        (
            Element("keyType", "tns:LeadKeyRef"),
            Element("keyValues", "tns:ArrayOfString"),
        ),
        base="tns:LeadSelector",
    ),
    ComplexType(
        "Tag",
        (
            Element("type", "xs:string", min_occurs=0),
            Element("values", "tns:ArrayOfString", min_occurs=0),
        ),
    ),
    ComplexType("ArrayOfTag", (Element("tag", "tns:Tag", min_occurs=0, max_occurs=None),)),
    ComplexType(
        "ProgressionStatus", (Element("progressionStatus", "tns:ArrayOfAttrib", min_occurs=0),)
    ),
    ComplexType(
        "ArrayOfProgressionStatus",
        (Element("progressionStatusItem", "tns:ProgressionStatus", min_occurs=0, max_occurs=None),),
    ),
    ComplexType(
        "TagStatus",
        (
            Element("tagValue", "xs:string"),
            Element("statusList", "tns:ArrayOfProgressionStatus"),
        ),
    ),
    ComplexType(
        "ArrayOfTagStatus", (Element("tagStatus", "tns:TagStatus", min_occurs=0, max_occurs=None),)
    ),
    ComplexType("ParamsDeleteMObjects", (Element("mObjectList", "tns:ArrayOfMObject"),)),
    ComplexType("ParamsDescribeMObject", (Element("objectName", "xs:string"),)),
    ComplexType(
        "ParamsGetMObjects",
        (
            Element("type", "xs:string"),
            Element("id", "xs:int", min_occurs=0),
            Element("externalKey", "tns:Attrib", min_occurs=0),
            Element("mObjCriteriaList", "tns:ArrayOfMObjCriteria", min_occurs=0),
            Element("mObjAssociationList", "tns:ArrayOfMObjAssociation", min_occurs=0),
            Element("includeDetails", "xs:boolean", min_occurs=0),
            Element("streamPosition", "xs:string", min_occurs=0),
        ),
    ),
    ComplexType("ParamsListMObjects", ()),
    ComplexType(
        "ParamsSyncMObjects",
        (
            Element("mObjectList", "tns:ArrayOfMObject"),
            Element("operation", "tns:SyncOperationEnum"),
        ),
    ),
    ComplexType(
        "ParamsGetCampaignsForSource",
        (
            Element("source", "tns:ReqCampSourceType"),
            Element("name", "xs:string", min_occurs=0, nillable=True),
            Element("exactName", "xs:boolean", min_occurs=0, nillable=True),
        ),
    ),
    ComplexType(
        "ParamsGetImportToListStatus",
        (
            Element("programName", "xs:string", min_occurs=0),
            Element("listName", "xs:string", min_occurs=0),
        ),
    ),
    ComplexType("ParamsGetLead", (Element("leadKey", "tns:LeadKey"),)),
    ComplexType(
        "ParamsGetLeadActivity",
        (
            Element("leadKey", "tns:LeadKey"),
            Element("activityFilter", "tns:ActivityTypeFilter", min_occurs=0, nillable=True),
            Element("startPosition", "tns:StreamPosition", min_occurs=0, nillable=True),
            Element("batchSize", "xs:int", min_occurs=0, nillable=True),
        ),
    ),
    ComplexType(
        "ParamsGetLeadChanges",
        (
            Element("startPosition", "tns:StreamPosition"),
            Element("activityFilter", "tns:ActivityTypeFilter", min_occurs=0, nillable=True),
            Element("batchSize", "xs:int", min_occurs=0, nillable=True),
            Element("leadSelector", "tns:LeadSelector", min_occurs=0),
        ),
    ),
    ComplexType(
        "ParamsGetMultipleLeads",
        (
            Element("leadSelector", "tns:LeadSelector", min_occurs=0),
            Element("lastUpdatedAt", "xs:dateTime", min_occurs=0),
            Element("streamPosition", "xs:string", min_occurs=0, nillable=True),
            Element("batchSize", "xs:int", min_occurs=0, nillable=True),
            Element("includeAttributes", "tns:ArrayOfString", min_occurs=0),
        ),
    ),
    ComplexType(
        "ParamsImportToList",
        (
            Element("programName", "xs:string"),
            Element("importFileHeader", "xs:string"),
            Element("importFileRows", "tns:ArrayOfString"),
            Element("importListMode", "tns:ImportToListModeEnum"),
            Element("listName", "xs:string"),
            Element("clearList", "xs:boolean"),
            Element("campaignName", "xs:string", nillable=True),
        ),
    ),
    ComplexType(
        "ParamsListOperation",
        (
            Element("listOperation", "tns:ListOperationType"),
            Element("listKey", "tns:ListKey"),
            Element("listMemberList", "tns:ArrayOfLeadKey"),
            Element("strict", "xs:boolean", min_occurs=0, nillable=True),
            Element("skipActivityLog", "xs:boolean", min_occurs=0, nillable=True),
        ),
    ),
    ComplexType(
        "ParamsRequestCampaign",
        (
            Element("source", "tns:ReqCampSourceType"),
            Element("campaignId", "xs:int", min_occurs=0, nillable=True),
            Element("leadList", "tns:ArrayOfLeadKey", min_occurs=0, nillable=True),
            Element("programName", "xs:string", min_occurs=0, nillable=True),
            Element("campaignName", "xs:string", min_occurs=0, nillable=True),
            Element("programTokenList", "tns:ArrayOfAttrib", min_occurs=0, nillable=True),
        ),
    ),
    ComplexType(
        "ParamsScheduleCampaign",
        (
            Element("programName", "xs:string"),
            Element("campaignName", "xs:string"),
            Element("campaignRunAt", "xs:dateTime", min_occurs=0, nillable=True),
            Element("programTokenList", "tns:ArrayOfAttrib", min_occurs=0, nillable=True),
        ),
    ),
    ComplexType(
        "ParamsSyncLead",
        (
            Element("leadRecord", "tns:LeadRecord"),
            Element("returnLead", "xs:boolean"),
            Element("marketoCookie", "xs:string", min_occurs=0, nillable=True),
        ),
    ),
    ComplexType(
        "ParamsSyncMultipleLeads",
        (
            Element("leadRecordList", "tns:ArrayOfLeadRecord"),
            Element("dedupEnabled", "xs:boolean", min_occurs=0, nillable=True),
        ),
    ),
    ComplexType(
        "ParamsSyncCustomObjects",
        (
            Element("objTypeName", "xs:string"),
            Element("customObjList", "tns:ArrayOfCustomObj"),
            Element("operation", "tns:SyncOperationEnum", min_occurs=0, nillable=True),
        ),
    ),
    ComplexType(
        "ParamsDeleteCustomObjects",
        (
            Element("objTypeName", "xs:string"),
            Element("customObjKeyLists", "tns:ArrayOfKeyList"),
        ),
    ),
    ComplexType(
        "ParamsGetCustomObjects",
        (
            Element("objTypeName", "xs:string"),
            Element("streamPosition", "xs:string", min_occurs=0, nillable=True),
            Element("batchSize", "xs:int", min_occurs=0, nillable=True),
            Element("customObjKeyList", "tns:ArrayOfAttribute", min_occurs=0, nillable=True),
            Element("includeAttributes", "tns:ArrayOfString"),
        ),
    ),
    ComplexType(
        "ParamsMergeLeads",
        (
            Element("winningLeadKeyList", "tns:ArrayOfAttribute"),
            Element("losingLeadKeyLists", "tns:ArrayOfKeyList"),
        ),
    ),
    ComplexType("ParamsGetChannels", (Element("tag", "tns:Tag", min_occurs=0),)),
    ComplexType("ParamsGetTags", (Element("tagList", "tns:ArrayOfTag", min_occurs=0),)),
    ComplexType("ResultDeleteMObjects", (Element("mObjStatusList", "tns:ArrayOfMObjStatus"),)),
    ComplexType("ResultDescribeMObject", (Element("metadata", "tns:MObjectMetadata"),)),
    ComplexType(
        "ResultGetMObjects",
        (
            Element("returnCount", "xs:int"),
            Element("hasMore", "xs:boolean"),
            Element("newStreamPosition", "xs:string"),
            Element("mObjectList", "tns:ArrayOfMObject", min_occurs=0),
        ),
    ),
    ComplexType(
        "ResultListMObjects", (Element("objects", "xs:string", min_occurs=0, max_occurs=None),)
    ),
    ComplexType("ResultSyncMObjects", (Element("mObjStatusList", "tns:ArrayOfMObjStatus"),)),
    ComplexType(
        "LeadActivityList",
        (
            Element("returnCount", "xs:int"),
            Element("remainingCount", "xs:int"),
            Element("newStartPosition", "tns:StreamPosition"),
            Element("activityRecordList", "tns:ArrayOfActivityRecord", min_occurs=0, nillable=True),
        ),
    ),
    ComplexType(
        "ResultGetCampaignsForSource",
        (
            Element("returnCount", "xs:int"),
            Element("campaignRecordList", "tns:ArrayOfCampaignRecord", min_occurs=0, nillable=True),
        ),
    ),
    ComplexType(
        "ResultGetImportToListStatus",
        (
            Element("status", "tns:ImportToListStatusEnum"),
            Element("startedTime", "xs:dateTime", min_occurs=0, nillable=True),
            Element("endedTime", "xs:dateTime", min_occurs=0, nillable=True),
            Element("estimatedTime", "xs:int", min_occurs=0, nillable=True),
            Element("estimatedRows", "xs:int", min_occurs=0, nillable=True),
            Element("rowsImported", "xs:int", min_occurs=0, nillable=True),
            Element("rowsFailed", "xs:int", min_occurs=0, nillable=True),
            Element("rowsIgnored", "xs:int", min_occurs=0, nillable=True),
            Element("importSummary", "xs:string", min_occurs=0, nillable=True),
        ),
    ),
    ComplexType(
        "ResultGetLeadChanges",
        (
            Element("returnCount", "xs:int"),
            Element("remainingCount", "xs:int"),
            Element("newStartPosition", "tns:StreamPosition"),
            Element(
                "leadChangeRecordList", "tns:ArrayOfLeadChangeRecord", min_occurs=0, nillable=True
            ),
        ),
    ),
    ComplexType(
        "ResultGetLead",
        (
            Element("count", "xs:int"),
            Element("leadRecordList", "tns:ArrayOfLeadRecord", min_occurs=0, nillable=True),
        ),
    ),
    ComplexType(
        "ResultListOperation",
        (
            Element("success", "xs:boolean"),
            Element("statusList", "tns:ArrayOfLeadStatus", min_occurs=0, nillable=True),
        ),
    ),
    ComplexType(
        "ResultGetMultipleLeads",
        (
            Element("returnCount", "xs:int"),
            Element("remainingCount", "xs:int"),
            Element("newStreamPosition", "xs:string"),
            Element("leadRecordList", "tns:ArrayOfLeadRecord", min_occurs=0, nillable=True),
        ),
    ),
    ComplexType("ResultImportToList", (Element("importStatus", "tns:ImportToListStatusEnum"),)),
    ComplexType("ResultRequestCampaign", (Element("success", "xs:boolean"),)),
    ComplexType("ResultScheduleCampaign", (Element("success", "xs:boolean"),)),
    ComplexType(
        "ResultSyncLead",
        (
            Element("leadId", "xs:int"),
            Element("syncStatus", "tns:SyncStatus"),
            Element("leadRecord", "tns:LeadRecord", min_occurs=0, nillable=True),
        ),
    ),
    ComplexType("ResultSyncMultipleLeads", (Element("syncStatusList", "tns:ArrayOfSyncStatus"),)),
    ComplexType(
        "ResultSyncCustomObjects",
        (Element("syncCustomObjStatusList", "tns:ArrayOfSyncCustomObjStatus"),),
    ),
    ComplexType(
        "ResultDeleteCustomObjects",
        (Element("deleteCustomObjStatusList", "tns:ArrayOfSyncCustomObjStatus"),),
    ),
    ComplexType(
        "ResultGetCustomObjects",
        (
            Element("objTypeName", "xs:string"),
            Element("returnCount", "xs:int"),
            Element("remainingCount", "xs:int"),
            Element("newStreamPosition", "xs:string"),
            Element("customObjList", "tns:ArrayOfCustomObj", min_occurs=0, nillable=True),
        ),
    ),
    ComplexType("ResultMergeLeads", (Element("mergeStatus", "tns:MergeStatus"),)),
    ComplexType("ResultGetChannels", (Element("tags", "tns:ArrayOfTagStatus"),)),
    ComplexType("ResultGetTags", (Element("tagList", "tns:ArrayOfTag"),)),
    ComplexType("SuccessDeleteMObjects", (Element("result", "tns:ResultDeleteMObjects"),)),
    ComplexType("SuccessDescribeMObject", (Element("result", "tns:ResultDescribeMObject"),)),
    ComplexType("SuccessGetMObjects", (Element("result", "tns:ResultGetMObjects"),)),
    ComplexType("SuccessListMObjects", (Element("result", "tns:ResultListMObjects"),)),
    ComplexType("SuccessSyncMObjects", (Element("result", "tns:ResultSyncMObjects"),)),
    ComplexType(
        "SuccessGetCampaignsForSource", (Element("result", "tns:ResultGetCampaignsForSource"),)
    ),
    ComplexType(
        "SuccessGetImportToListStatus", (Element("result", "tns:ResultGetImportToListStatus"),)
    ),
    ComplexType("SuccessGetLead", (Element("result", "tns:ResultGetLead"),)),
    ComplexType("SuccessGetLeadActivity", (Element("leadActivityList", "tns:LeadActivityList"),)),
    ComplexType("SuccessGetLeadChanges", (Element("result", "tns:ResultGetLeadChanges"),)),
    ComplexType("SuccessGetMultipleLeads", (Element("result", "tns:ResultGetMultipleLeads"),)),
    ComplexType("SuccessImportToList", (Element("result", "tns:ResultImportToList"),)),
    ComplexType("SuccessListOperation", (Element("result", "tns:ResultListOperation"),)),
    ComplexType("SuccessRequestCampaign", (Element("result", "tns:ResultRequestCampaign"),)),
    ComplexType("SuccessScheduleCampaign", (Element("result", "tns:ResultScheduleCampaign"),)),
    ComplexType("SuccessSyncLead", (Element("result", "tns:ResultSyncLead"),)),
    ComplexType("SuccessSyncMultipleLeads", (Element("result", "tns:ResultSyncMultipleLeads"),)),
    ComplexType("SuccessSyncCustomObjects", (Element("result", "tns:ResultSyncCustomObjects"),)),
    ComplexType(
        "SuccessDeleteCustomObjects", (Element("result", "tns:ResultDeleteCustomObjects"),)
    ),
    ComplexType("SuccessGetCustomObjects", (Element("result", "tns:ResultGetCustomObjects"),)),
    ComplexType("SuccessMergeLeads", (Element("result", "tns:ResultMergeLeads"),)),
    ComplexType("SuccessGetChannels", (Element("result", "tns:ResultGetChannels"),)),
    ComplexType("SuccessGetTags", (Element("result", "tns:ResultGetTags"),)),
    ComplexType(
        "AuthenticationHeaderInfo",
        (
            Element("mktowsUserId", "xs:string"),
            Element("requestSignature", "xs:string"),
            Element("requestTimestamp", "xs:string"),
            Element("audit", "xs:string", min_occurs=0),
            Element("mode", "xs:int", min_occurs=0),
        ),
    ),
    ComplexType("MktowsContextHeaderInfo", (Element("targetWorkspace", "xs:string"),)),
)

GLOBAL_ELEMENTS: tuple[GlobalElement, ...] = (
    GlobalElement("AuthenticationHeader", "tns:AuthenticationHeaderInfo"),
    GlobalElement("MktowsContextHeader", "tns:MktowsContextHeaderInfo"),
    GlobalElement("paramsDeleteMObjects", "tns:ParamsDeleteMObjects"),
    GlobalElement("paramsDescribeMObject", "tns:ParamsDescribeMObject"),
    GlobalElement("paramsGetMObjects", "tns:ParamsGetMObjects"),
    GlobalElement("paramsSyncMObjects", "tns:ParamsSyncMObjects"),
    GlobalElement("paramsGetCampaignsForSource", "tns:ParamsGetCampaignsForSource"),
    GlobalElement("paramsGetImportToListStatus", "tns:ParamsGetImportToListStatus"),
    GlobalElement("paramsGetLead", "tns:ParamsGetLead"),
    GlobalElement("paramsGetLeadActivity", "tns:ParamsGetLeadActivity"),
    GlobalElement("paramsGetLeadChanges", "tns:ParamsGetLeadChanges"),
    GlobalElement("paramsGetMultipleLeads", "tns:ParamsGetMultipleLeads"),
    GlobalElement("paramsImportToList", "tns:ParamsImportToList"),
    GlobalElement("paramsListMObjects", "tns:ParamsListMObjects"),
    GlobalElement("paramsListOperation", "tns:ParamsListOperation"),
    GlobalElement("paramsRequestCampaign", "tns:ParamsRequestCampaign"),
    GlobalElement("paramsScheduleCampaign", "tns:ParamsScheduleCampaign"),
    GlobalElement("paramsSyncLead", "tns:ParamsSyncLead"),
    GlobalElement("paramsSyncMultipleLeads", "tns:ParamsSyncMultipleLeads"),
    GlobalElement("paramsSyncCustomObjects", "tns:ParamsSyncCustomObjects"),
    GlobalElement("paramsDeleteCustomObjects", "tns:ParamsDeleteCustomObjects"),
    GlobalElement("paramsGetCustomObjects", "tns:ParamsGetCustomObjects"),
    GlobalElement("paramsMergeLeads", "tns:ParamsMergeLeads"),
    GlobalElement("paramsGetChannels", "tns:ParamsGetChannels"),
    GlobalElement("paramsGetTags", "tns:ParamsGetTags"),
    GlobalElement("successDeleteMObjects", "tns:SuccessDeleteMObjects"),
    GlobalElement("successDescribeMObject", "tns:SuccessDescribeMObject"),
    GlobalElement("successGetMObjects", "tns:SuccessGetMObjects"),
    GlobalElement("successSyncMObjects", "tns:SuccessSyncMObjects"),
    GlobalElement("successGetCampaignsForSource", "tns:SuccessGetCampaignsForSource"),
    GlobalElement("successGetImportToListStatus", "tns:SuccessGetImportToListStatus"),
    GlobalElement("successGetLead", "tns:SuccessGetLead"),
    GlobalElement("successGetLeadActivity", "tns:SuccessGetLeadActivity"),
    GlobalElement("successGetLeadChanges", "tns:SuccessGetLeadChanges"),
    GlobalElement("successGetMultipleLeads", "tns:SuccessGetMultipleLeads"),
    GlobalElement("successImportToList", "tns:SuccessImportToList"),
    GlobalElement("successListMObjects", "tns:SuccessListMObjects"),
    GlobalElement("successListOperation", "tns:SuccessListOperation"),
    GlobalElement("successRequestCampaign", "tns:SuccessRequestCampaign"),
    GlobalElement("successScheduleCampaign", "tns:SuccessScheduleCampaign"),
    GlobalElement("successSyncLead", "tns:SuccessSyncLead"),
    GlobalElement("successSyncMultipleLeads", "tns:SuccessSyncMultipleLeads"),
    GlobalElement("successSyncCustomObjects", "tns:SuccessSyncCustomObjects"),
    GlobalElement("successDeleteCustomObjects", "tns:SuccessDeleteCustomObjects"),
    GlobalElement("successGetCustomObjects", "tns:SuccessGetCustomObjects"),
    GlobalElement("successMergeLeads", "tns:SuccessMergeLeads"),
    GlobalElement("successGetChannels", "tns:SuccessGetChannels"),
    GlobalElement("successGetTags", "tns:SuccessGetTags"),
)

OPERATIONS: tuple[Operation, ...] = (
    Operation("deleteMObjects", "Delete one or more MObject."),
    Operation("describeMObject", "Get meta data for a MObject."),
    Operation("getMObjects", "Get one or more MObject."),
    Operation("syncMObjects", "Create, update, or upsert MObject."),
    Operation("getCampaignsForSource", "Get a list campaigns."),
    Operation("getImportToListStatus", "Provides information regarding the status of list import."),
    Operation("getLead", "Get all details about a lead."),
    Operation("getLeadActivity", "Get all activity log details about a lead."),
    Operation("getLeadChanges", "Get changes for all leads."),
    Operation("getMultipleLeads", "Get all details about one or more leads."),
    Operation("importToList", "Imports the list from web file info"),
    Operation("listMObjects", "Send a Marketo email."),
    Operation(
        "listOperation", "Perform an operation on a Marketo List, like add lead or remove lead."
    ),
    Operation("requestCampaign", "Request to add a set of leads to a campaign."),
    Operation("scheduleCampaign", "Request to add tokens to a schedule campaign."),
    Operation("syncLead", "Create or update a lead.", headers=(AUTH, CONTEXT)),
    Operation("syncMultipleLeads", "Create or update one or more leads."),
    Operation("syncCustomObjects", "Update, Insert, or Upsert custom object records"),
    Operation("deleteCustomObjects", "Delete custom object records"),
    Operation("getCustomObjects", "Get custom object records"),
    Operation("mergeLeads", "Merge Leads"),
    Operation("getChannels", "Get Tags"),
    Operation("getTags", "Get Tags"),
)

COMPLEX_BY_NAME: dict[str, ComplexType] = {t.name: t for t in COMPLEX_TYPES}
SIMPLE_BY_NAME: dict[str, SimpleType] = {t.name: t for t in SIMPLE_TYPES}
OPERATION_BY_ELEMENT: dict[str, Operation] = {op.input_element: op for op in OPERATIONS}
OPERATION_BY_NAME: dict[str, Operation] = {op.name: op for op in OPERATIONS}
GLOBAL_BY_NAME: dict[str, GlobalElement] = {ge.name: ge for ge in GLOBAL_ELEMENTS}
