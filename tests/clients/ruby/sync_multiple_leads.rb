# encoding: utf-8
# frozen_string_literal: false
#
# The common client scenario (tests/clients/harness.py) with soap4r, WSDL-driven:
# SOAP::WSDLDriverFactory builds the driver from leadsync's served ?WSDL, and the
# AuthenticationHeader goes in through a SOAP::Header::SimpleHandler, the way Ruby
# users of Marketo's SOAP API did it.

require 'json'
require 'openssl'
require 'time'
require 'soap/wsdlDriver'
require 'soap/header/simplehandler'

WSDL_URL = ENV.fetch('LEADSYNC_WSDL')
ENDPOINT = ENV.fetch('LEADSYNC_ENDPOINT')
USER = ENV.fetch('LEADSYNC_USER')
SECRET = ENV.fetch('LEADSYNC_SECRET')
PREFIX = ENV.fetch('LEADSYNC_PREFIX')
MKTOWS = 'http://www.marketo.com/mktows/'

# Compatibility shim for a soap4r 2.0.5 bug: a nillable element left out of the
# Hash is sent as xsi:nil (WSDLLiteralRegistry#nil2soap), but simpleobj2soap checks
# the enumeration facet against nil first, so LeadRecord's optional ForeignSysType
# raises XSD::ValueSpaceError ("cannot accept ''").  Check for nil before the facet.
module SOAP
  module Mapping
    class WSDLLiteralRegistry
      alias_method :soap4r_simpleobj2soap, :simpleobj2soap

      def simpleobj2soap(obj, type)
        obj.nil? ? SOAPNil.new : soap4r_simpleobj2soap(obj, type)
      end
    end
  end
end

# Marketo's AuthenticationHeader, signed afresh for every outbound message.
class MarketoAuthHeader < SOAP::Header::SimpleHandler
  attr_accessor :secret

  def initialize(user, secret)
    super(XSD::QName.new(MKTOWS, 'AuthenticationHeader'))
    @user = user
    @secret = secret
  end

  def on_simple_outbound
    timestamp = Time.now.iso8601
    signature = OpenSSL::HMAC.hexdigest('sha1', @secret, timestamp + @user)
    { 'mktowsUserId' => @user, 'requestSignature' => signature,
      'requestTimestamp' => timestamp }
  end
end

def record(email, attrs)
  items = attrs.map { |name, value| { 'attrName' => name, 'attrValue' => value } }
  { 'Email' => email, 'leadAttributeList' => { 'attribute' => items } }
end

LEADS = [
  record("#{PREFIX}-1@example.com",
         'FirstName' => 'Zoë', 'Company' => 'Acme & Co <east>', 'NumberOfEmployees' => '42'),
  record("#{PREFIX}-2@example.com", 'FirstName' => 'Ålesund ☃', 'Phone' => '650-555-1000')
].freeze

def statuses(response)
  list = response.result.syncStatusList.syncStatus
  list = [list] unless list.is_a?(Array)
  list.map do |s|
    error = s.respond_to?(:error) ? s.error : nil
    { 'leadId' => s.leadId, 'status' => s.status, 'error' => error }
  end
end

def fault
  yield
rescue SOAP::FaultError => e
  { 'faultstring' => e.faultstring.data, 'code' => e.detail.serviceException.code }
else
  abort 'expected a SOAP fault'
end

driver = SOAP::WSDLDriverFactory.new(WSDL_URL).create_rpc_driver
driver.endpoint_url = ENDPOINT
driver.wiredump_dev = $stderr if ENV['LEADSYNC_WIREDUMP']
auth = MarketoAuthHeader.new(USER, SECRET)
driver.headerhandler << auth

batch = { 'leadRecordList' => { 'leadRecord' => LEADS }, 'dedupEnabled' => true }
%w[create update].each do |step|
  puts JSON.generate('step' => step, 'statuses' => statuses(driver.syncMultipleLeads(batch)))
end

auth.secret = "wrong-#{SECRET}"
wrong = fault { driver.syncMultipleLeads(batch) }
puts JSON.generate('step' => 'wrong_key', 'fault' => wrong)
auth.secret = SECRET

bulk = (0..300).map { |i| { 'Email' => "#{PREFIX}-bulk-#{i}@example.com" } }
too_many = fault do
  driver.syncMultipleLeads('leadRecordList' => { 'leadRecord' => bulk }, 'dedupEnabled' => true)
end
puts JSON.generate('step' => 'too_many', 'fault' => too_many)
