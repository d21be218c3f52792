//! Each model type's wire names, in one table per type: the keys the field-by-field reader
//! ([`WireFields`](super::WireFields)) fills, and where each value goes.

use serde::de::{Deserialize, DeserializeSeed, MapAccess};

use super::{Fill, FillValue, Replace, WireFields, read_field, wire_fields};
use crate::model::input::{Argument, Input, KeyValueInput};
use crate::model::package::Package;
use crate::model::problem::{ProblemDetails, ProblemError};
use crate::model::response::{
    ListMetadata, OfficialMeta, ResponseMeta, ServerList, ServerResponse,
};
use crate::model::server::{Icon, Repository, ServerJson};
use crate::model::transport::Transport;
use crate::vocab::extra::Extra;

wire_fields!(Input {
    "description" => description (text),
    "isRequired" => is_required,
    "is_required" => is_required_snake,
    "format" => format (text),
    "value" => value (text),
    "isSecret" => is_secret,
    "is_secret" => is_secret_snake,
    "default" => default (text),
    "placeholder" => placeholder (text),
    "choices" => choices,
    "variables" => variables,
} extra = extra);

wire_fields!(KeyValueInput { "name" => name (text) } inner = input);

wire_fields!(Argument {
    "type" => kind (text),
    "name" => name (text),
    "valueHint" => value_hint (text),
    "value_hint" => value_hint_snake (text),
    "isRepeated" => is_repeated,
    "is_repeated" => is_repeated_snake,
} inner = input);

wire_fields!(Package {
    "registryType" => registry_type (text),
    "registry_type" => registry_type_snake (text),
    "registryBaseUrl" => registry_base_url (text),
    "registry_base_url" => registry_base_url_snake (text),
    "identifier" => identifier (text),
    "version" => version (text),
    "fileSha256" => file_sha256 (text),
    "file_sha256" => file_sha256_snake (text),
    "runtimeHint" => runtime_hint (text),
    "runtime_hint" => runtime_hint_snake (text),
    "transport" => transport (fill),
    "runtimeArguments" => runtime_arguments (fill),
    "runtime_arguments" => runtime_arguments_snake (fill),
    "packageArguments" => package_arguments (fill),
    "package_arguments" => package_arguments_snake (fill),
    "environmentVariables" => environment_variables (fill),
    "environment_variables" => environment_variables_snake (fill),
} extra = extra);

wire_fields!(ProblemDetails {
    "type" => kind,
    "title" => title,
    "status" => status,
    "detail" => detail,
    "instance" => instance,
    "errors" => errors,
    "error" => error,
} extra = extra);

wire_fields!(ProblemError {
    "message" => message,
    "location" => location,
    "value" => value,
} extra = extra);

wire_fields!(Transport {
    "type" => kind (text),
    "url" => url (text),
    "headers" => headers (fill),
    "variables" => variables,
} extra = extra);

wire_fields!(ServerJson {
    "$schema" => schema (text),
    "name" => name (text),
    "description" => description (text),
    "title" => title (text),
    "repository" => repository (fill),
    "version" => version (text),
    "websiteUrl" => website_url (text),
    "website_url" => website_url_snake (text),
    "icons" => icons (fill),
    "packages" => packages (fill),
    "remotes" => remotes (fill),
    "status" => status (text),
    "_meta" => meta,
} extra = extra);

wire_fields!(Repository {
    "url" => url (text),
    "source" => source (text),
    "id" => id (text),
    "subfolder" => subfolder (text),
} extra = extra);

wire_fields!(Icon {
    "src" => src (text),
    "mimeType" => mime_type (text),
    "sizes" => sizes,
    "theme" => theme (text),
} extra = extra);

wire_fields!(ResponseMeta {
    "io.modelcontextprotocol.registry/official" => official (fill),
} extra = extra);

wire_fields!(OfficialMeta {
    "status" => status (text),
    "statusChangedAt" => status_changed_at (text),
    "statusMessage" => status_message (text),
    "publishedAt" => published_at (text),
    "updatedAt" => updated_at (text),
    "isLatest" => is_latest,
} extra = extra);

wire_fields!(ListMetadata {
    "nextCursor" => next_cursor (text),
    "next_cursor" => next_cursor (text),
    "count" => count,
} extra = extra);

/// A response being read: its fields, and whether the required `server` has come.
struct ResponseFields<'a> {
    response: &'a mut ServerResponse,
    has_server: bool,
}

impl WireFields for ResponseFields<'_> {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
        match key {
            "server" => {
                map.next_value_seed(Replace(&mut self.response.server))?;
                self.has_server = true;
            }
            "_meta" => read_field!(map, self.response.meta, fill),
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn extra(&mut self) -> &mut Extra {
        &mut self.response.extra
    }
}

impl FillValue for ServerResponse {
    fn empty() -> Self {
        Self {
            server: ServerJson::default(),
            meta: None,
            extra: Extra::default(),
        }
    }

    fn fill_value<'de, D: serde::Deserializer<'de>>(
        &mut self,
        deserializer: D,
    ) -> Result<(), D::Error> {
        let mut fields = ResponseFields {
            response: self,
            has_server: false,
        };
        Fill(&mut fields).deserialize(deserializer)?;
        if fields.has_server {
            Ok(())
        } else {
            Err(serde::de::Error::missing_field("server"))
        }
    }
}

impl<'de> Deserialize<'de> for ServerResponse {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        super::deserialize(deserializer)
    }
}

/// A page being read: its fields, and whether the required `servers` has come.
struct ListFields<'a> {
    list: &'a mut ServerList,
    has_servers: bool,
}

impl WireFields for ListFields<'_> {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
        match key {
            "servers" => {
                map.next_value_seed(Replace(&mut self.list.servers))?;
                self.has_servers = true;
            }
            "metadata" => read_field!(map, self.list.metadata, fill),
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn extra(&mut self) -> &mut Extra {
        &mut self.list.extra
    }
}

impl FillValue for ServerList {
    fn empty() -> Self {
        Self::default()
    }

    fn fill_value<'de, D: serde::Deserializer<'de>>(
        &mut self,
        deserializer: D,
    ) -> Result<(), D::Error> {
        let mut fields = ListFields {
            list: self,
            has_servers: false,
        };
        Fill(&mut fields).deserialize(deserializer)?;
        if fields.has_servers {
            Ok(())
        } else {
            Err(serde::de::Error::missing_field("servers"))
        }
    }
}

impl<'de> Deserialize<'de> for ServerList {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        super::deserialize(deserializer)
    }
}
