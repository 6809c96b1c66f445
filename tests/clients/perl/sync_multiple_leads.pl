#!/usr/bin/perl
# The common client scenario (tests/clients/harness.py) with SOAP::Lite.
#
# SOAP::Lite is not WSDL-driven for document/literal services, so the request is built the
# way SOAP::Lite users built it for Marketo: an ns1-prefixed AuthenticationHeader and
# paramsSyncMultipleLeads in the mktows namespace, their children unqualified, no xsi:type.
use strict;
use warnings;
use utf8;    # the literals below are characters; SOAP::Lite encodes the envelope as UTF-8

use Digest::SHA qw(hmac_sha1_hex);
use JSON::PP ();
use POSIX qw(strftime);
use SOAP::Lite;

binmode STDOUT, ':encoding(UTF-8)';
binmode STDERR, ':encoding(UTF-8)';

my $MKTOWS   = 'http://www.marketo.com/mktows/';
my $endpoint = $ENV{LEADSYNC_ENDPOINT} or die "LEADSYNC_ENDPOINT is not set\n";
my $user     = $ENV{LEADSYNC_USER}     or die "LEADSYNC_USER is not set\n";
my $secret   = $ENV{LEADSYNC_SECRET}   or die "LEADSYNC_SECRET is not set\n";
my $prefix   = $ENV{LEADSYNC_PREFIX}   or die "LEADSYNC_PREFIX is not set\n";
my $json     = JSON::PP->new->canonical;

my $soap = SOAP::Lite->proxy($endpoint, timeout => 60)
    ->on_action(sub { join '', @_ })    # "<uri><method>", the .NET-style SOAPAction
    ->autotype(0)
    ->readable(1);
$soap->transport->ssl_opts(SSL_ca_file => $ENV{LEADSYNC_CA}) if $ENV{LEADSYNC_CA};

# W3C timestamp with a colon in the offset, e.g. 2026-11-28T10:00:00-08:00.
sub timestamp {
    my $ts = strftime('%Y-%m-%dT%H:%M:%S%z', localtime);
    $ts =~ s/(\d\d)(\d\d)$/$1:$2/;
    return $ts;
}

# A string leaf. The explicit type makes SOAP::Lite XML-escape the value (with autotype off an
# untyped value is written raw) without autotype's guessing (it sends non-ASCII as base64Binary).
sub text { SOAP::Data->name($_[0] => $_[1])->type('string') }

# Signed afresh for every call: lower-case hex HMAC-SHA1 of requestTimestamp + mktowsUserId.
sub auth_header {
    my ($key) = @_;
    my $ts = timestamp();
    return SOAP::Header->name('AuthenticationHeader')->prefix('ns1')->uri($MKTOWS)->value(
        \SOAP::Data->value(
            text(mktowsUserId     => $user),
            text(requestSignature => hmac_sha1_hex($ts . $user, $key)),
            text(requestTimestamp => $ts),
        )
    );
}

sub lead_record {
    my ($email, @attributes) = @_;
    my @fields = (text(Email => $email));
    if (@attributes) {
        my @items;
        while (my ($name, $value) = splice @attributes, 0, 2) {
            push @items, SOAP::Data->name(attribute => \SOAP::Data->value(
                text(attrName  => $name),
                text(attrValue => $value),
            ));
        }
        push @fields, SOAP::Data->name(leadAttributeList => \SOAP::Data->value(@items));
    }
    return SOAP::Data->name(leadRecord => \SOAP::Data->value(@fields));
}

sub sync_multiple_leads {
    my ($key, @records) = @_;
    my $method = SOAP::Data->name('paramsSyncMultipleLeads')->prefix('ns1')->uri($MKTOWS);
    my $som = $soap->call(
        $method,
        SOAP::Data->name(leadRecordList => \SOAP::Data->value(@records)),
        SOAP::Data->name(dedupEnabled   => 'true'),
        auth_header($key),
    );
    die "no SOAP response\n" unless defined $som;
    return $som;
}

sub emit { print $json->encode($_[0]), "\n" }

sub statuses {
    my ($som) = @_;
    die sprintf("unexpected fault: %s\n", $som->faultstring) if $som->fault;
    return [
        map {
            { leadId => 0 + $_->{leadId}, status => $_->{status}, error => $_->{error} }
        } $som->valueof('//successSyncMultipleLeads/result/syncStatusList/syncStatus')
    ];
}

sub fault {
    my ($som) = @_;
    die "expected a SOAP fault\n" unless $som->fault;
    return {
        faultstring => $som->faultstring,
        code        => '' . $som->faultdetail->{serviceException}{code},
    };
}

my @leads = (
    lead_record("$prefix-1\@example.com",
        FirstName => 'Zoë', Company => 'Acme & Co <east>', NumberOfEmployees => '42'),
    lead_record("$prefix-2\@example.com", FirstName => 'Ålesund ☃', Phone => '650-555-1000'),
);

for my $step (qw(create update)) {
    emit({ step => $step, statuses => statuses(sync_multiple_leads($secret, @leads)) });
}
emit({ step => 'wrong_key', fault => fault(sync_multiple_leads("wrong-$secret", @leads)) });
my @bulk = map { lead_record("$prefix-bulk-$_\@example.com") } 0 .. 300;
emit({ step => 'too_many', fault => fault(sync_multiple_leads($secret, @bulk)) });
exit 0;
