// Adds the user menu to the navbar item types of the theme (classic's, or another's).
import ComponentTypes from '@theme-init/NavbarItem/ComponentTypes';
import PortcullisNavbarItem from '@theme/PortcullisNavbarItem';

export default {
  ...ComponentTypes,
  'custom-portcullisUserMenu': PortcullisNavbarItem,
};
