<?php
// What the PHP SoapClient scenario programs share: the signed AuthenticationHeader, the
// JSON step lines and SoapClient's arrays read back as lists.

function authHeader($ns, $userId, $key)
{
    $timeStamp = (new DateTime('now', new DateTimeZone("America/Los_Angeles")))->format(DATE_W3C);
    $attrs = new stdClass();
    $attrs->mktowsUserId = $userId;
    $attrs->requestSignature = hash_hmac('sha1', $timeStamp . $userId, $key);
    $attrs->requestTimestamp = $timeStamp;
    return new SoapHeader($ns, 'AuthenticationHeader', $attrs);
}

function emit($item)
{
    print json_encode($item, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES) . "\n";
}

// SoapClient collapses a one-element array into the element itself, and leaves out an
// empty (or nil) one: always give back a list.
function listOf($container, $name)
{
    if ($container === null || !isset($container->$name)) {
        return array();
    }
    $items = $container->$name;
    return is_array($items) ? $items : array($items);
}

// The harness's client: a WSDL-driven SoapClient bound to the endpoint, and a function
// that calls an operation with a freshly signed AuthenticationHeader.
function harnessCall()
{
    $ns = "http://www.marketo.com/mktows/";
    $userId = getenv('LEADSYNC_USER');
    $secret = getenv('LEADSYNC_SECRET');
    $client = new SoapClient(getenv('LEADSYNC_WSDL'),
        array('location' => getenv('LEADSYNC_ENDPOINT'), 'trace' => 1, 'exceptions' => true));
    return function ($op, $params) use ($client, $ns, $userId, $secret) {
        return $client->__soapCall($op, array($params), array(), authHeader($ns, $userId, $secret));
    };
}
