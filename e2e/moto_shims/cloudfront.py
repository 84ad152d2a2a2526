"""CloudFront APIs and fields moto 5.2.5 lacks (imported by e2e/moto_server.py).

Each shim answers as the CloudFront API reference (API version 2020-05-31) documents; the
response shapes come from botocore's model of that API, which moto serialises.

- Managed cache and origin request policies: moto has no cache-policy or
  origin-request-policy routes (moto/cloudfront/urls.py), so ListCachePolicies answers 404 and
  no `data "aws_cloudfront_cache_policy"` can be read. AWS provides its Managed-* policies in
  every account, read-only. The shim serves those in MANAGED_CACHE_POLICIES and
  MANAGED_ORIGIN_REQUEST_POLICIES, with AWS's IDs and settings (CloudFront Developer Guide,
  "Use managed cache policies" and "Use managed origin request policies"), through
  ListCachePolicies, GetCachePolicy, GetCachePolicyConfig and the OriginRequestPolicy
  equivalents. AWS has a few more managed policies than these; a name missing here is
  reported by the data source as not found. There are no custom policies: a `Type=custom`
  listing is empty, as in a fresh account.
- Response headers policies: CreateResponseHeadersPolicy, GetResponseHeadersPolicy(Config),
  UpdateResponseHeadersPolicy and DeleteResponseHeadersPolicy, echoing the configuration as
  given, with AWS's checks: a unique name (ResponseHeadersPolicyAlreadyExists), If-Match
  required and equal to the current ETag for update and delete (InvalidIfMatchVersion,
  PreconditionFailed), and no deletion while a distribution's cache behaviour uses the policy
  (ResponseHeadersPolicyInUse).
- Distribution fields moto drops or invents, each read back as AWS does so that a second plan
  shows no change:
  - an origin's OriginAccessControlId and S3OriginConfig, as given (moto keeps neither);
  - a cache behaviour's ForwardedValues, MinTTL, DefaultTTL and MaxTTL only when given: these
    are the legacy cache settings, and a behaviour with a cache policy has none (moto makes up
    ForwardedValues and zero TTLs for every behaviour);
  - a viewer certificate's CloudFrontDefaultCertificate is false, and its CertificateSource
    and Certificate name the ACM or IAM certificate, when one is given (moto reports the
    default *.cloudfront.net certificate in use whatever the request says).
"""

import datetime
import uuid

from moto.cloudfront import urls
from moto.cloudfront.exceptions import CloudFrontException, InvalidIfMatchVersion
from moto.cloudfront.models import DefaultCacheBehaviour, Origin, ViewerCertificate, random_id
from moto.cloudfront.responses import CloudFrontResponse
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow

API = "{0}/2020-05-31"
for _kind in ("cache-policy", "origin-request-policy", "response-headers-policy"):
    urls.url_paths[f"{API}/{_kind}$"] = CloudFrontResponse.dispatch
    urls.url_paths[f"{API}/{_kind}/(?P<Id>[^/]+)$"] = CloudFrontResponse.dispatch
    urls.url_paths[f"{API}/{_kind}/(?P<Id>[^/]+)/config$"] = CloudFrontResponse.dispatch


def _etag():
    # CloudFront ETags are 14 upper-case letters and digits, such as E2QWRUHAPOMQZL.
    return random_id(length=14)


def _cache_policy(name, comment, min_ttl, default_ttl, max_ttl, compressed):
    return {
        "Comment": comment,
        "Name": name,
        "DefaultTTL": default_ttl,
        "MaxTTL": max_ttl,
        "MinTTL": min_ttl,
        "ParametersInCacheKeyAndForwardedToOrigin": {
            "EnableAcceptEncodingGzip": compressed,
            "EnableAcceptEncodingBrotli": compressed,
            "HeadersConfig": {"HeaderBehavior": "none"},
            "CookiesConfig": {"CookieBehavior": "none"},
            "QueryStringsConfig": {"QueryStringBehavior": "none"},
        },
    }


def _origin_request_policy(name, comment, header_behavior, headers=()):
    """All cookies and query strings, and the headers header_behavior says."""
    headers_config = {"HeaderBehavior": header_behavior}
    if headers:
        headers_config["Headers"] = {"Quantity": len(headers), "Items": list(headers)}
    return {
        "Comment": comment,
        "Name": name,
        "HeadersConfig": headers_config,
        "CookiesConfig": {"CookieBehavior": "all"},
        "QueryStringsConfig": {"QueryStringBehavior": "all"},
    }


# AWS's managed policies: ID -> configuration.
MANAGED_CACHE_POLICIES = {
    "658327ea-f89d-4fab-a63d-7e88639e58f6": _cache_policy(
        "Managed-CachingOptimized",
        "Policy with caching enabled. Supports Gzip and Brotli compression.",
        1, 86400, 31536000, True,
    ),
    "b2884449-e4de-46a7-ac36-70bc7f1ddd6d": _cache_policy(
        "Managed-CachingOptimizedForUncompressedObjects",
        "Default policy when compression is disabled",
        1, 86400, 31536000, False,
    ),
    "4135ea2d-6df8-44a3-9df3-4b5a84be39ad": _cache_policy(
        "Managed-CachingDisabled", "Policy with caching disabled", 0, 0, 0, False,
    ),
}

MANAGED_ORIGIN_REQUEST_POLICIES = {
    "216adef6-5c7f-47e4-b989-5492eafa07d3": _origin_request_policy(
        "Managed-AllViewer",
        "Policy to forward all parameters in viewer requests",
        "allViewer",
    ),
    "b689b0a8-53d0-40ab-baf2-68738e2966ac": _origin_request_policy(
        "Managed-AllViewerExceptHostHeader",
        "Policy to forward all parameters in viewer requests except for the Host header",
        "allExcept",
        ["host"],
    ),
}

# Managed policies never change: each keeps one modification time and one ETag.
MANAGED_SINCE = datetime.datetime(2020, 6, 1, tzinfo=datetime.timezone.utc)
MANAGED_ETAGS = {}


def _managed_etag(policy_id):
    return MANAGED_ETAGS.setdefault(policy_id, _etag())


def _page(response, items):
    """One page of a list: AWS's Marker/MaxItems paging over items ordered by ID."""
    marker = response._get_param("Marker")
    max_items = int(response._get_param("MaxItems") or 100)
    ids = [i for i, _ in items]
    start = ids.index(marker) if marker in ids else 0
    page = items[start:start + max_items]
    following = items[start + max_items:start + max_items + 1]
    listing = {"MaxItems": max_items, "Quantity": len(page)}
    if following:
        listing["NextMarker"] = following[0][0]
    return page, listing


def _managed_list(response, policies, kind):
    """List<kind>Policies: managed ones only (an account's custom ones do not exist here)."""
    wanted = response._get_param("Type")
    items = [] if wanted == "custom" else sorted(policies.items())
    page, listing = _page(response, items)
    if page:
        listing["Items"] = [
            {"Type": "managed", kind: _managed_policy(kind, pid, config)}
            for pid, config in page
        ]
    return ActionResult({f"{kind}List": listing})


def _managed_policy(kind, policy_id, config):
    return {"Id": policy_id, "LastModifiedTime": MANAGED_SINCE, f"{kind}Config": config}


def _managed_get(response, policies, kind, config_only):
    """Get<kind>[Config]; an unknown ID is NoSuch<kind> (404)."""
    policy_id = response._get_param("Id")
    if policy_id not in policies:
        words = "cache policy" if kind == "CachePolicy" else "origin request policy"
        raise CloudFrontException(f"NoSuch{kind}", f"The {words} does not exist.")
    config = policies[policy_id]
    body = config if config_only else _managed_policy(kind, policy_id, config)
    key = f"{kind}Config" if config_only else kind
    return ActionResult({key: body, "ETag": _managed_etag(policy_id)})


def list_cache_policies(self):
    return _managed_list(self, MANAGED_CACHE_POLICIES, "CachePolicy")


def get_cache_policy(self):
    return _managed_get(self, MANAGED_CACHE_POLICIES, "CachePolicy", False)


def get_cache_policy_config(self):
    return _managed_get(self, MANAGED_CACHE_POLICIES, "CachePolicy", True)


def list_origin_request_policies(self):
    return _managed_list(self, MANAGED_ORIGIN_REQUEST_POLICIES, "OriginRequestPolicy")


def get_origin_request_policy(self):
    return _managed_get(self, MANAGED_ORIGIN_REQUEST_POLICIES, "OriginRequestPolicy", False)


def get_origin_request_policy_config(self):
    return _managed_get(self, MANAGED_ORIGIN_REQUEST_POLICIES, "OriginRequestPolicy", True)


# Response headers policies, kept per account on moto's CloudFront backend (so a moto reset
# clears them with everything else).
class ResponseHeadersPolicy:
    def __init__(self, config):
        self.id = str(uuid.uuid4())
        self.update(config)

    def update(self, config):
        self.config = config
        self.last_modified = utcnow()
        self.etag = _etag()

    def as_api(self):
        return {
            "Id": self.id,
            "LastModifiedTime": self.last_modified,
            "ResponseHeadersPolicyConfig": self.config,
        }


def _policies(response):
    backend = response.backend
    if not hasattr(backend, "response_headers_policies"):
        backend.response_headers_policies = {}
    return backend.response_headers_policies


def _location(policy):
    return f"https://cloudfront.amazonaws.com/2020-05-31/response-headers-policy/{policy.id}"


def _find(response):
    policy = _policies(response).get(response._get_param("Id"))
    if policy is None:
        raise CloudFrontException(
            "NoSuchResponseHeadersPolicy", "The response headers policy does not exist."
        )
    return policy


def _check_name(response, config, own_id=None):
    for policy in _policies(response).values():
        if policy.id != own_id and policy.config.get("Name") == config.get("Name"):
            raise CloudFrontException(
                "ResponseHeadersPolicyAlreadyExists",
                "A response headers policy with this name already exists.",
            )


def _check_if_match(response, policy):
    if_match = response._get_param("IfMatch")
    if not if_match:
        raise InvalidIfMatchVersion()
    if if_match != policy.etag:
        raise CloudFrontException(
            "PreconditionFailed",
            "The If-Match version is not the current version of the resource.",
        )


def _in_use(backend, policy_id):
    for dist in backend.distributions.values():
        config = dist.distribution_config
        behaviours = [config.DefaultCacheBehavior]
        behaviours += (config.CacheBehaviors or {}).get("Items") or []
        if any(getattr(b, "response_headers_policy_id", None) == policy_id for b in behaviours):
            return True
    return False


def create_response_headers_policy(self):
    config = self._get_param("ResponseHeadersPolicyConfig")
    _check_name(self, config)
    policy = ResponseHeadersPolicy(config)
    _policies(self)[policy.id] = policy
    return ActionResult({
        "ResponseHeadersPolicy": policy.as_api(),
        "Location": _location(policy),
        "ETag": policy.etag,
    })


def get_response_headers_policy(self):
    policy = _find(self)
    return ActionResult({"ResponseHeadersPolicy": policy.as_api(), "ETag": policy.etag})


def get_response_headers_policy_config(self):
    policy = _find(self)
    return ActionResult({"ResponseHeadersPolicyConfig": policy.config, "ETag": policy.etag})


def update_response_headers_policy(self):
    policy = _find(self)
    _check_if_match(self, policy)
    config = self._get_param("ResponseHeadersPolicyConfig")
    _check_name(self, config, policy.id)
    policy.update(config)
    return ActionResult({"ResponseHeadersPolicy": policy.as_api(), "ETag": policy.etag})


def delete_response_headers_policy(self):
    policy = _find(self)
    _check_if_match(self, policy)
    if _in_use(self.backend, policy.id):
        raise CloudFrontException(
            "ResponseHeadersPolicyInUse",
            "Cannot delete the response headers policy because it is attached to one or more "
            "cache behaviors in a CloudFront distribution.",
        )
    del _policies(self)[policy.id]
    return EmptyResult()


for _handler in (
    list_cache_policies,
    get_cache_policy,
    get_cache_policy_config,
    list_origin_request_policies,
    get_origin_request_policy,
    get_origin_request_policy_config,
    create_response_headers_policy,
    get_response_headers_policy,
    get_response_headers_policy_config,
    update_response_headers_policy,
    delete_response_headers_policy,
):
    setattr(CloudFrontResponse, _handler.__name__, _handler)


# Distribution fields (see the module docstring).
_origin_init = Origin.__init__
_behaviour_init = DefaultCacheBehaviour.__init__
_certificate_init = ViewerCertificate.__init__
LEGACY_CACHE_SETTINGS = {
    "ForwardedValues": "forwarded_values",
    "MinTTL": "min_ttl",
    "DefaultTTL": "default_ttl",
    "MaxTTL": "max_ttl",
}


def origin_init(self, origin):
    _origin_init(self, origin)
    if "OriginAccessControlId" in origin:
        self.origin_access_control_id = origin["OriginAccessControlId"] or ""
    if "S3OriginConfig" in origin:
        identity = (origin["S3OriginConfig"] or {}).get("OriginAccessIdentity") or ""
        self.s3_origin_config = {"OriginAccessIdentity": identity}


def behaviour_init(self, config):
    given = set(config)
    _behaviour_init(self, config)
    for field, attribute in LEGACY_CACHE_SETTINGS.items():
        if field not in given:
            setattr(self, attribute, None)


def certificate_init(self, config):
    _certificate_init(self, config)
    acm, iam = config.get("ACMCertificateArn"), config.get("IAMCertificateId")
    if acm or iam:
        self.cloud_front_default_certificate = bool(config.get("CloudFrontDefaultCertificate"))
        self.certificate_source = "acm" if acm else "iam"
        self.certificate = acm or iam


Origin.__init__ = origin_init
DefaultCacheBehaviour.__init__ = behaviour_init
ViewerCertificate.__init__ = certificate_init
