"""``GET /``: this server's endpoints (SOAP, its WSDL, REST, the identity endpoint) with
a curl call each that works as it is written, then links to what the store holds."""

from __future__ import annotations

from starlette.requests import Request

from leadsync.web.layout import Context
from leadsync.web.markup import Html, fill, join, link, table, url

_SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
_MKTOWS = "http://www.marketo.com/mktows/"


def base_of(request: Request) -> str:
    """This server's address as the caller reached it (no trailing slash)."""
    return str(request.base_url).rstrip("/")


def soap_example(endpoint: str) -> str:
    """getLead by email, signed in the shell (HMAC-SHA1 of timestamp + user id)."""
    return f"""MKTO_USER='your-user-id' MKTO_SECRET='your-secret'
TS=$(date -u +%Y-%m-%dT%H:%M:%S+00:00)
SIG=$(printf %s "$TS$MKTO_USER" | openssl dgst -sha1 -hmac "$MKTO_SECRET" | sed 's/^.*= //')
curl -s '{endpoint}' -H 'Content-Type: text/xml; charset=UTF-8' --data-binary @- <<EOF
<SOAP-ENV:Envelope xmlns:SOAP-ENV="{_SOAP_ENV}" xmlns:ns1="{_MKTOWS}">
 <SOAP-ENV:Header><ns1:AuthenticationHeader>
  <mktowsUserId>$MKTO_USER</mktowsUserId><requestSignature>$SIG</requestSignature>
  <requestTimestamp>$TS</requestTimestamp>
 </ns1:AuthenticationHeader></SOAP-ENV:Header>
 <SOAP-ENV:Body><ns1:paramsGetLead><leadKey>
  <keyType>EMAIL</keyType><keyValue>ada@example.com</keyValue>
 </leadKey></ns1:paramsGetLead></SOAP-ENV:Body>
</SOAP-ENV:Envelope>
EOF"""


def token_example(base: str) -> str:
    return (
        "curl -s -G '" + base + "/identity/oauth/token' -d grant_type=client_credentials \\\n"
        "  --data-urlencode client_id='your-client-id' "
        "--data-urlencode client_secret='your-client-secret'"
    )


def rest_example(base: str) -> str:
    return (
        "TOKEN='the access_token above'\n"
        "curl -s -G '" + base + '/rest/v1/leads.json\' -H "Authorization: Bearer $TOKEN" \\\n'
        "  -d filterType=email --data-urlencode filterValues=ada@example.com"
    )


def home(request: Request, where: Context) -> Html:
    base = base_of(request)
    endpoint = f"{base}/soap/mktows/2_2"
    rows = [
        ("SOAP endpoint (mktows 2_2)", Html(fill("<code>$u</code>", u=endpoint))),
        ("WSDL", link(f"{endpoint}?WSDL", f"{endpoint}?WSDL")),
        ("REST base", Html(fill("<code>$u</code>", u=f"{base}/rest"))),
        ("Identity (access tokens)", Html(fill("<code>$u</code>", u=f"{base}/identity"))),
        ("Health, readiness, metrics", join(
            (link(path, path) for path in ("/healthz", "/readyz", "/metrics")), ", "
        )),
    ]  # fmt: skip
    instance = where.instance
    browse = [
        link(url("/ui/leads", instance=instance), "Leads"),
        link(url("/ui/lists", instance=instance), "Static lists"),
        link(url("/ui/campaigns", instance=instance), "Smart campaigns"),
        link(url("/ui/journal", instance=instance), "Journal of recent calls"),
    ]
    return fill(
        """<p>A Marketo emulator: the SOAP API (mktows) and the REST API on one lead store.
Point your integration at these addresses; a SOAP user is made with <code>leadsync users
add</code>, a REST client with <code>leadsync rest-clients add</code>. The instance picked
above is the one the pages below show: a user or client sees its own instance's leads.</p>
$endpoints
<h2>The WSDL</h2><pre><code>$wsdl</code></pre>
<h2>A SOAP call: getLead by email</h2>
<p>The request is signed with HMAC-SHA1 of the timestamp and the user id, keyed with the
user's secret.</p><pre><code>$soap</code></pre>
<h2>A REST call: a token, then Get Leads by Filter Type</h2>
<pre><code>$token</code></pre><pre><code>$rest</code></pre>
<h2>Browse instance $instance</h2><ul>$browse</ul>
""",
        endpoints=table(("endpoint", "address"), rows, ""),
        wsdl=f"curl -s '{endpoint}?WSDL'",
        soap=soap_example(endpoint),
        token=token_example(base),
        rest=rest_example(base),
        instance=instance,
        browse=join(fill("<li>$a</li>", a=item) for item in browse),
    )
